package io.dispatchd.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ConfigPrecedenceTest {

    @TempDir
    Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("dispatchd.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        String conf = file("workers=5\nqueue-capacity=55\nidle-timeout=5s\nack=complete\n").toString();
        Map<String, String> env = Map.of("DISPATCHD_WORKERS", "6", "DISPATCHD_QUEUE_CAPACITY", "66");

        ServerConfig all = ServerConfig.fromArgs(env, "--config", conf, "--workers", "7");
        assertThat(all.workers()).as("flag").isEqualTo(7);
        assertThat(all.queueCapacity()).as("environment").isEqualTo(66);
        assertThat(all.idleTimeout()).as("file").hasSeconds(5);
        assertThat(all.ackMode()).as("file").isEqualTo(AckMode.COMPLETE);
        assertThat(all.maxConnections()).as("default").isEqualTo(ServerConfig.DEFAULT_MAX_CONNECTIONS);

        assertThat(ServerConfig.fromArgs(env, "--config=" + conf).workers()).isEqualTo(6);
        assertThat(ServerConfig.fromArgs(Map.of(), "--config", conf).workers()).isEqualTo(5);
        assertThat(ServerConfig.fromArgs(Map.of()).workers()).isEqualTo(ServerConfig.DEFAULT_WORKERS);
    }

    @Test
    void environmentCanNameTheConfigFile() throws Exception {
        Path conf = file("admin-port=off\n");
        assertThat(ServerConfig.fromArgs(Map.of("DISPATCHD_CONFIG", conf.toString())).adminEnabled()).isFalse();
    }

    @Test
    void unknownKeyInTheFileIsAnErrorNamingIt() throws Exception {
        String conf = file("workers=5\nworker=6\n").toString();
        assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.fromArgs(Map.of(), "--config", conf))
                .withMessageContaining("unknown key 'worker'");
    }

    @Test
    void helpAndConfigItselfAreNotKeys() throws Exception {
        String conf = file("help=true\n").toString();
        assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.fromArgs(Map.of(), "--config", conf))
                .withMessageContaining("unknown key 'help'");
    }

    @Test
    void badValuesFromTheEnvironmentOrFileAreRefused() throws Exception {
        assertThatIllegalArgumentException().isThrownBy(
                () -> ServerConfig.fromArgs(Map.of("DISPATCHD_IDLE_TIMEOUT", "300"))).withMessageContaining("duration");
        String conf = file("workers=0\n").toString();
        assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.fromArgs(Map.of(), "--config", conf))
                .withMessageContaining("--workers");
    }

    @Test
    void missingFileIsAnError() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ServerConfig.fromArgs(Map.of(), "--config", dir.resolve("nope").toString()))
                .withMessageContaining("cannot read config file");
    }
}
