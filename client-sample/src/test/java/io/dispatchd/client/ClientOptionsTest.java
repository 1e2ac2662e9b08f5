package io.dispatchd.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(10)
class ClientOptionsTest {

    @Test
    void defaultsAreTheDocumentedConstants() {
        ClientOptions options = ClientOptions.defaults();
        assertThat(options.host()).isEqualTo(ClientOptions.DEFAULT_HOST).isEqualTo("127.0.0.1");
        assertThat(options.port()).isEqualTo(ClientOptions.DEFAULT_PORT).isEqualTo(7070);
        assertThat(options.connectTimeout()).isEqualTo(ClientOptions.DEFAULT_CONNECT_TIMEOUT);
        assertThat(options.requestTimeout()).isEqualTo(ClientOptions.DEFAULT_REQUEST_TIMEOUT);
        assertThat(options.maxPending()).isEqualTo(ClientOptions.DEFAULT_MAX_PENDING);
        assertThat(options.address()).isEqualTo("127.0.0.1:7070");
    }

    @Test
    void withersChangeOneSettingOnly() {
        ClientOptions options = ClientOptions.of("example.org", 1234).withMaxPending(7);
        assertThat(options).isEqualTo(new ClientOptions("example.org", 1234,
                ClientOptions.DEFAULT_CONNECT_TIMEOUT, ClientOptions.DEFAULT_REQUEST_TIMEOUT, 7));
    }

    @Test
    void settingsOutOfRangeAreRefusedWithTheirName() {
        ClientOptions d = ClientOptions.defaults();
        assertThatIllegalArgumentException().isThrownBy(() -> d.withHost(" ")).withMessageContaining("host");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withPort(0)).withMessageContaining("port");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withPort(65_536)).withMessageContaining("port");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withConnectTimeout(Duration.ZERO))
                .withMessageContaining("connectTimeout");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withRequestTimeout(Duration.ofMillis(-1)))
                .withMessageContaining("requestTimeout");
        assertThatIllegalArgumentException().isThrownBy(() -> d.withMaxPending(0)).withMessageContaining("maxPending");
    }
}
