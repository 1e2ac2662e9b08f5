package io.dispatchd.server.kafka;

import io.dispatchd.server.config.KafkaOptions;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Kafka clients' settings, in one place: dispatchd's choices, then the {@code --kafka-config}
 * pass-through over them (an operator who sets a timeout there means it).
 */
final class KafkaClients {

    /**
     * How long the brokers may be unreachable before a job waiting for them is answered {@code !}:
     * the producer's {@code delivery.timeout.ms}. Kafka's default, two minutes, would hold a
     * client's acks far longer than a client waits.
     */
    static final int DELIVERY_TIMEOUT_MS = 10_000;
    /** A request to a broker that takes longer is retried (within the delivery timeout). */
    static final int REQUEST_TIMEOUT_MS = 5_000;
    /** Admin calls at startup and the health probe. */
    static final int ADMIN_TIMEOUT_MS = 10_000;

    private KafkaClients() {
    }

    /**
     * The front's producer: {@code acks=all} and idempotent, so a {@code +} means the job is on
     * every in-sync replica, once. A linger of 1 ms: the ack's latency is the point, and under load
     * the batches fill while earlier ones are in flight anyway. {@code max.block.ms=0}: {@code send}
     * runs on an event loop and must never wait; a full buffer or missing metadata throws at once
     * and the request is answered {@code !}. Metadata never expires when idle, for the same reason.
     */
    static Properties producer(KafkaOptions options) {
        Properties p = common(options, "dispatchd-front");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
        p.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, String.valueOf(Integer.MAX_VALUE));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(DELIVERY_TIMEOUT_MS));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(REQUEST_TIMEOUT_MS));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return withPassThrough(p, options);
    }

    /**
     * A worker lane's share consumer: explicit acknowledgement (a job is accepted only once it ran,
     * released or rejected when it failed), and {@code record_limit} acquisition, so the broker
     * hands over at most {@code batch} jobs a poll: a worker holds no more than its pool can run.
     */
    static Properties shareConsumer(KafkaOptions options, int lane, int batch) {
        Properties p = common(options, "dispatchd-worker-" + lane);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, options.group());
        p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        p.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(batch));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return withPassThrough(p, options);
    }

    static Properties admin(KafkaOptions options) {
        Properties p = common(options, "dispatchd-admin");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ADMIN_TIMEOUT_MS));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(REQUEST_TIMEOUT_MS));
        return withPassThrough(p, options);
    }

    private static Properties common(KafkaOptions options, String clientId) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return p;
    }

    private static Properties withPassThrough(Properties p, KafkaOptions options) {
        p.putAll(options.clientConfig());
        return p;
    }

    /**
     * Makes sure the topic exists (with the brokers' default partitions and replication when it
     * does not) and that the share group starts from the earliest job: a share group starts at the
     * latest offset by default, and would skip every job produced before its first worker joined.
     *
     * @throws IllegalStateException with a one-line reason when the brokers cannot be reached or refuse
     */
    static void prepare(Admin admin, KafkaOptions options) {
        try {
            try {
                admin.createTopics(List.of(new NewTopic(options.topic(), Optional.empty(), Optional.empty())))
                        .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, options.group());
            AlterConfigOp earliest = new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"),
                    AlterConfigOp.OpType.SET);
            admin.incrementalAlterConfigs(Map.of(group, List.of(earliest)))
                    .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set up Kafka topic " + options.topic() + " and share group "
                    + options.group() + " at " + options.bootstrap() + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot reach the Kafka brokers at " + options.bootstrap() + " within "
                    + ADMIN_TIMEOUT_MS / 1000 + "s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up Kafka", e);
        }
    }
}
