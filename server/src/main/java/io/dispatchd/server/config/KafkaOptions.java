package io.dispatchd.server.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;

/**
 * How a node runs on Kafka ({@code --kafka} and the flags that go with it).
 *
 * @param bootstrap    the brokers to start from, {@code host:port[,host:port…]}
 * @param role         front, worker or both
 * @param topic        the topic jobs go through
 * @param group        the share group the workers consume as
 * @param clientConfig properties passed through to every Kafka client (SASL, TLS to the brokers),
 *                     read from {@code --kafka-config}; they win over dispatchd's own settings
 * @param maxAttempts  deliveries of a job that fails before it is rejected for good
 */
public record KafkaOptions(String bootstrap, KafkaRole role, String topic, String group, Properties clientConfig,
                           int maxAttempts) {

    public static final String DEFAULT_TOPIC = "dispatchd.jobs";
    public static final String DEFAULT_GROUP = "dispatchd";
    public static final String DEFAULT_ROLE = "both";
    /**
     * Below the broker's {@code group.share.delivery.count.limit} (default 5), past which the broker
     * archives a record whatever its consumers say.
     */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    public KafkaOptions {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(clientConfig, "clientConfig");
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("--kafka needs the brokers to start from, as host:port[,host:port...]");
        }
        if (topic == null || !topic.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("--kafka-topic must be 1-249 characters of [A-Za-z0-9._-], not '"
                    + topic + "'");
        }
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("--kafka-group must not be empty");
        }
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new IllegalArgumentException("--max-attempts must be between 1 and 10, not " + maxAttempts);
        }
    }

    /** The client properties in {@code file}, or none for {@code null}; a file that cannot be read is a bad flag. */
    public static Properties readClientConfig(Path file) {
        return ConfigFile.read(file, "--kafka-config file");
    }

    /** In flag spelling, for the startup log; the pass-through properties by name only (they may hold secrets). */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka", bootstrap);
        s.put("role", role.flagValue());
        s.put("kafka-topic", topic);
        s.put("kafka-group", group);
        s.put("max-attempts", String.valueOf(maxAttempts));
        if (!clientConfig.isEmpty()) {
            s.put("kafka-config-keys", new TreeSet<>(clientConfig.stringPropertyNames()).toString());
        }
        return s;
    }
}
