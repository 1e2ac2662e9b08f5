package io.dispatchd.server.service;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ServiceRegistryTest {

    @Test
    void builtInsAndServiceLoaderPluginsAreFound() {
        ServiceRegistry registry = ServiceRegistry.load(getClass().getClassLoader());
        assertThat(registry.keys()).contains("a", "b", "c", "d", "upper");
        assertThat(registry.lookup("upper")).isInstanceOf(UpperService.class);
        assertThat(registry.lookup("e")).isNull();
    }

    @Test
    void indexOfIsEachKeysPlaceInKeysAndMinusOneForAKeyNoServiceHas() {
        ServiceRegistry registry = ServiceRegistry.of(LetterService.builtIns());
        List<String> keys = new ArrayList<>(registry.keys());
        for (int i = 0; i < keys.size(); i++) {
            assertThat(registry.indexOf(keys.get(i))).isEqualTo(i);
        }
        assertThat(registry.indexOf("zz")).isEqualTo(-1);
        assertThat(registry.indexOf("A")).as("keys are lower case by the time they are looked up").isEqualTo(-1);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"auth", "QUIT"})
    void aKeyTheProtocolReservesIsAStartupError(String reserved) {
        Service s = new Service() {
            public String key() {
                return reserved;
            }

            public void execute(String qual, ServiceContext context) {
            }
        };
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(() -> ServiceRegistry.of(List.of(s)))
                .withMessageContaining("claims the key '" + reserved + "', which the protocol reserves (quit, auth)");
    }

    @Test
    void aKeyClaimedTwiceIsAStartupErrorNamingBoth() {
        List<Service> services = new ArrayList<>(LetterService.builtIns());
        services.add(new Service() {
            public String key() {
                return "A";
            }

            public void execute(String qual, ServiceContext context) {
            }
        });
        assertThatIllegalStateException().isThrownBy(() -> ServiceRegistry.of(services))
                .withMessageContaining("'a' is claimed by both the built-in service A and");
    }

    @Test
    void aMalformedKeyIsAStartupError() {
        assertThatIllegalStateException().isThrownBy(() -> ServiceRegistry.of(List.of(new Service() {
            public String key() {
                return "no spaces";
            }

            public void execute(String qual, ServiceContext context) {
            }
        }))).withMessageContaining("invalid key");
    }

    @Test
    void tokensAreQualLetterAndAtLeastThreeDigits() {
        assertThat(Engine.token("88", 'A', 0)).isEqualTo("88A000");
        assertThat(Engine.token("88", 'A', 7)).isEqualTo("88A007");
        assertThat(Engine.token("88", 'A', 42)).isEqualTo("88A042");
        assertThat(Engine.token("88", 'A', 499)).isEqualTo("88A499");
        assertThat(Engine.token("x", 'D', 1234)).isEqualTo("xD1234");
    }

}
