package io.dispatchd.server.config;

import io.dispatchd.protocol.Durations;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ServerConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerConfig c = ServerConfig.fromArgs();
        assertThat(c.bind()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(7070);
        assertThat(c.adminPort()).isEqualTo(7071);
        assertThat(c.ackMode()).isEqualTo(AckMode.ACCEPT);
        assertThat(c.workers()).isEqualTo(ServerConfig.DEFAULT_WORKERS);
        assertThat(c.queueCapacity()).isEqualTo(ServerConfig.DEFAULT_QUEUE_CAPACITY);
        assertThat(c.maxLineBytes()).isEqualTo(1024);
        assertThat(c.maxConnections()).isEqualTo(10_000);
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.jobTimeout()).isZero();
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.engineIterations()).isEqualTo(500);
        assertThat(c.enginePause()).isEqualTo(Duration.ofNanos(100_000));
        assertThat(c.transport()).isEqualTo(TransportChoice.AUTO);
        assertThat(c.ioThreads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(c.journalEnabled()).as("memory only unless asked").isFalse();
        assertThat(c.fsync()).isEqualTo(FsyncPolicy.EVERYSEC);
        assertThat(c.journalMaxBytes()).isEqualTo(1L << 30);
        assertThat(c.describe()).contains(" journal=off ");
    }

    @Test
    void theStartupLineIsTheSettingsInFlagSpellingOneAccountTheDashboardReadsToo() {
        ServerConfig c = ServerConfig.fromArgs("--tls-cert-file", "/etc/d/cert.pem", "--tls-key-file", "/etc/d/key.pem",
                "--tls-ca-file", "/etc/d/ca.pem", "--ack", "complete");
        assertThat(c.settings()).containsEntry("ack", "complete").containsEntry("tls", "/etc/d/cert.pem")
                .containsEntry("tls-ca-file", "/etc/d/ca.pem").containsEntry("auth", "off").doesNotContainKey("fsync");
        StringBuilder line = new StringBuilder();
        c.settings().forEach((flag, value) -> line.append(line.length() == 0 ? "" : " ").append(flag).append('=').append(value));
        assertThat(c.describe()).isEqualTo(line.toString()).startsWith("bind=127.0.0.1 port=7070 admin-bind=127.0.0.1 ")
                .contains(" tls=/etc/d/cert.pem tls-ca-file=/etc/d/ca.pem auth=off protected-mode=on admin-token=off");
    }

    @Test
    void journalFlagsAreReadAndDescribed() {
        ServerConfig c = ServerConfig.fromArgs("--journal", "/var/lib/dispatchd", "--fsync", "always",
                "--journal-max-bytes", "512MiB");
        assertThat(c.journal()).isEqualTo(java.nio.file.Path.of("/var/lib/dispatchd"));
        assertThat(c.fsync()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(c.journalMaxBytes()).isEqualTo(512L << 20);
        assertThat(c.describe()).contains(" journal=/var/lib/dispatchd fsync=always journal-max-bytes=512MiB ");
    }

    @Test
    void kafkaFlagsAreReadAndDescribed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path clientConfig = tmp.resolve("kafka.properties");
        java.nio.file.Files.writeString(clientConfig, "security.protocol=SSL\nssl.truststore.password=secret\n");
        ServerConfig c = ServerConfig.fromArgs("--kafka", "k1:9092,k2:9092", "--role", "worker", "--kafka-topic", "jobs",
                "--kafka-group", "g", "--kafka-config", clientConfig.toString(), "--max-attempts", "5");
        assertThat(c.kafka().bootstrap()).isEqualTo("k1:9092,k2:9092");
        assertThat(c.kafka().role()).isEqualTo(KafkaRole.WORKER);
        assertThat(c.kafka().clientConfig()).containsEntry("security.protocol", "SSL");
        assertThat(c.servesRequests()).as("a worker opens no request port").isFalse();
        assertThat(c.describe()).contains(" kafka=k1:9092,k2:9092 role=worker kafka-topic=jobs kafka-group=g"
                + " max-attempts=5 kafka-config-keys=[security.protocol, ssl.truststore.password]")
                .as("values from the pass-through file may be secrets").doesNotContain("secret");
        ServerConfig defaults = ServerConfig.fromArgs("--kafka", "k1:9092");
        assertThat(defaults.kafka()).isEqualTo(new KafkaOptions("k1:9092", KafkaRole.BOTH, "dispatchd.jobs", "dispatchd",
                new java.util.Properties(), 3));
        assertThat(ServerConfig.fromArgs().kafka()).as("off by default").isNull();
    }

    @Test
    void protectedModeRefusesANetworkBindWithNobodyToAuthenticateAndNamesBothWaysOut() {
        assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.fromArgs("--bind", "0.0.0.0"))
                .withMessageStartingWith("protected mode: --bind 0.0.0.0 listens beyond this machine")
                .withMessageContaining("--auth-token-file FILE").withMessageContaining("--tls-ca-file FILE")
                .withMessageContaining("--protected-mode off");
        assertThat(ServerConfig.fromArgs("--bind", "0.0.0.0", "--auth-token-file", "/etc/dispatchd/tokens").security().auth())
                .isTrue();
        assertThat(ServerConfig.fromArgs("--bind", "0.0.0.0", "--protected-mode", "OFF").security().protectedMode())
                .isFalse();
        assertThat(ServerConfig.fromArgs("--bind", "localhost").bind()).as("loopback needs nothing").isEqualTo("localhost");
        assertThat(ServerConfig.fromArgs("--bind", "0.0.0.0", "--kafka", "k:9092", "--role", "worker").bind())
                .as("a Kafka worker opens no request port").isEqualTo("0.0.0.0");
        assertThat(ServerConfig.fromArgs().adminBind()).as("admin on loopback, whatever --bind").isEqualTo("127.0.0.1");
    }

    @Test
    void securityFlagsComeFromTheEnvironmentLikeEveryOther() {
        ServerConfig c = ServerConfig.fromArgs(java.util.Map.of("DISPATCHD_AUTH_TOKEN_FILE", "/etc/d/tokens",
                "DISPATCHD_PROTECTED_MODE", "off", "DISPATCHD_ADMIN_BIND", "10.0.0.5",
                "DISPATCHD_TLS_CERT_FILE", "c.pem", "DISPATCHD_TLS_KEY_FILE", "k.pem"));
        assertThat(c.security()).isEqualTo(new SecurityOptions(java.nio.file.Path.of("c.pem"), java.nio.file.Path.of("k.pem"),
                null, java.nio.file.Path.of("/etc/d/tokens"), false, null));
        assertThat(c.adminBind()).isEqualTo("10.0.0.5");
    }

    @Test
    void virtualWorkerThreadsNeedAJvmThatHasThem() {
        if (io.dispatchd.server.executor.WorkerThreads.virtualAvailable()) {
            assertThat(ServerConfig.fromArgs("--worker-threads", "virtual").workerThreads())
                    .isEqualTo(io.dispatchd.server.executor.WorkerThreads.VIRTUAL);
        } else {
            assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.fromArgs("--worker-threads", "virtual"))
                    .withMessage("--worker-threads virtual needs Java 21 or newer; this is Java "
                            + Runtime.version().feature());
        }
        assertThat(ServerConfig.fromArgs().workerThreads()).isEqualTo(io.dispatchd.server.executor.WorkerThreads.PLATFORM);
    }

    @Test
    void tlsFlagsGoTogether() {
        assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.fromArgs("--tls-cert-file", "c.pem"))
                .withMessage("--tls-cert-file and --tls-key-file go together: give both or neither");
        assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.fromArgs("--tls-ca-file", "ca.pem"))
                .withMessageStartingWith("--tls-ca-file asks clients for certificates over TLS");
    }

    @Test
    void kafkaRefusesTheJournalAndCompleteModeSayingWhy() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ServerConfig.fromArgs("--kafka", "k:9092", "--journal", "/tmp/j"))
                .withMessageContaining("--kafka and --journal exclude each other");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ServerConfig.fromArgs("--kafka", "k:9092", "--ack", "complete"))
                .withMessageContaining("--ack complete does not work with --kafka: the job runs on whichever worker");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ServerConfig.fromArgs("--kafka", "k:9092", "--kafka-config", "/nonexistent/k.properties"))
                .withMessageStartingWith("cannot read --kafka-config file /nonexistent/k.properties");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ServerConfig.fromArgs("--kafka", "k:9092", "--max-attempts", "0"))
                .withMessage("--max-attempts must be between 1 and 10, not 0");
    }

    @ParameterizedTest
    @CsvSource({"1048576,1048576,1MiB", "64KiB,65536,64KiB", "1gib,1073741824,1GiB", "1536KiB,1572864,1536KiB",
            "100,100,100"})
    void sizesAreBytesOrPowerOfTwoUnits(String text, long bytes, String formatted) {
        assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
        assertThat(ByteSizes.format(bytes)).isEqualTo(formatted);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1GB", "1.5GiB", "-1", "GiB", "1 TiB", "99999999999999999999"})
    void malformedSizesAreRefused(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> ByteSizes.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"auto,AUTO", "io_uring,IO_URING", "IO_URING,IO_URING", "epoll,EPOLL", "nio,NIO"})
    void transportIsReadAndDescribedInTheFlagsSpelling(String flag, TransportChoice expected) {
        ServerConfig c = ServerConfig.fromArgs("--transport", flag);
        assertThat(c.transport()).isEqualTo(expected);
        assertThat(c.describe()).contains(" transport=" + flag.toLowerCase(java.util.Locale.ROOT) + " ");
    }

    @Test
    void flagsAreRead() {
        ServerConfig c = ServerConfig.fromArgs("--port", "0", "--admin-port", "off", "--ack", "COMPLETE",
                "--workers", "3", "--job-timeout", "250ms", "--engine-pause", "5us", "--idle-timeout", "0");
        assertThat(c.port()).isZero();
        assertThat(c.adminEnabled()).isFalse();
        assertThat(c.ackMode()).isEqualTo(AckMode.COMPLETE);
        assertThat(c.workers()).isEqualTo(3);
        assertThat(c.jobTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.enginePause()).isEqualTo(Duration.ofNanos(5_000));
        assertThat(c.idleTimeout()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--port=70000", "--workers=0", "--queue-capacity=-1", "--ack=later",
            "--idle-timeout=300", "--bogus", "--engine-pause=5 parsecs", "--admin-port=x", "--transport=uring",
            "--fsync=sometimes", "--journal-max-bytes=1GB", "--journal-max-bytes=1KiB"})
    void badFlagsAreRefusedWithTheFlagNamed(String flag) {
        assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.fromArgs(flag))
                .withMessageContaining(flag.substring(0, flag.contains("=") ? flag.indexOf('=') : flag.length())
                        .replace("--", "").split("-")[0]);
    }

    @ParameterizedTest
    @CsvSource({"250us,250000", "5ms,5000000", "30s,30000000000", "5m,300000000000", "1h,3600000000000",
            "0,0", "none,0", "off,0", "7ns,7"})
    void durationsNeedAUnit(String text, long nanos) {
        assertThat(Durations.parse(text).toNanos()).isEqualTo(nanos);
        assertThat(Durations.parse(Durations.format(Duration.ofNanos(nanos))).toNanos()).isEqualTo(nanos);
    }

    @ParameterizedTest
    @ValueSource(strings = {"999999999999h", "922337203685477581s", "9223372036854776us"})
    void durationsTooLongToCountInNanosecondsAreRefused(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse(text))
                .withMessageContaining("too long");
        assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.fromArgs("--engine-pause=" + text))
                .withMessageContaining("engine-pause");
    }

    @ParameterizedTest
    @ValueSource(strings = {"300", "5 ms", "ms", "-5s", "1.5s", "5d"})
    void malformedDurationsAreRefused(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse(text))
                .withMessageContaining("not a duration");
    }
}
