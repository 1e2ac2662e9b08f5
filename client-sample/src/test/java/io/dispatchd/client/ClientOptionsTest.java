package io.dispatchd.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
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

    @Test
    void tlsAndTokenAreOffByDefaultAndSetByTheirWithers() {
        ClientOptions plain = ClientOptions.defaults();
        assertThat(plain.tls()).isNull();
        assertThat(plain.token()).isNull();

        ClientOptions secured = plain.withTls(TlsOptions.trusting(Path.of("ca.crt"))).withToken("t0ken");
        assertThat(secured).isEqualTo(new ClientOptions(ClientOptions.DEFAULT_HOST, ClientOptions.DEFAULT_PORT,
                ClientOptions.DEFAULT_CONNECT_TIMEOUT, ClientOptions.DEFAULT_REQUEST_TIMEOUT, ClientOptions.DEFAULT_MAX_PENDING,
                new TlsOptions(Path.of("ca.crt"), null, null), "t0ken"));
        assertThat(secured.withPort(7443).tls()).isEqualTo(secured.tls());
        assertThat(secured.withPort(7443).token()).isEqualTo("t0ken");
        assertThat(secured.withTls(null).withToken(null)).isEqualTo(plain);
    }

    @Test
    void theTokenIsNeverShown() {
        String token = "very-s3cret";
        assertThat(ClientOptions.defaults().withToken(token).toString()).doesNotContain(token).contains("token=(hidden)");
        assertThatIllegalArgumentException().isThrownBy(() -> ClientOptions.defaults().withToken(token + "\n"))
                .withMessageNotContaining(token).withMessageContaining("token must not contain control character U+000A");
        assertThatIllegalArgumentException().isThrownBy(() -> ClientOptions.defaults().withToken(" " + token))
                .withMessageNotContaining(token).withMessageContaining("token must not start or end with a blank");
        assertThatIllegalArgumentException().isThrownBy(() -> ClientOptions.defaults().withToken(""))
                .withMessageContaining("token must not be empty");
    }
}
