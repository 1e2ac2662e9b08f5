package io.dispatchd.client.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(10)
class ServiceMixTest {

    @Test
    void weightsAreSpreadOverTheCycleNotBunched() {
        ServiceMix mix = ServiceMix.parse("a:3,b:1");

        assertThat(mix.cycle()).containsExactly("a", "a", "b", "a");
        assertThat(mix).hasToString("a:3,b:1");
    }

    @Test
    void eachServiceAppearsItsWeightTimesPerCycle() {
        var cycle = ServiceMix.parse("a:5, B:2 ,c").cycle();

        assertThat(cycle).hasSize(8);
        assertThat(Collections.frequency(cycle, "a")).isEqualTo(5);
        assertThat(Collections.frequency(cycle, "b")).isEqualTo(2);
        assertThat(Collections.frequency(cycle, "c")).isEqualTo(1);
    }

    @Test
    void malformedMixesAreRefusedWithTheReason() {
        assertThatIllegalArgumentException().isThrownBy(() -> ServiceMix.parse("a:x")).withMessageContaining("not a number");
        assertThatIllegalArgumentException().isThrownBy(() -> ServiceMix.parse("a:0")).withMessageContaining("positive");
        assertThatIllegalArgumentException().isThrownBy(() -> ServiceMix.parse("a b:1"))
                .withMessageContaining("not a service key");
        assertThatIllegalArgumentException().isThrownBy(() -> ServiceMix.parse("a,a")).withMessageContaining("twice");
        assertThatIllegalArgumentException().isThrownBy(() -> ServiceMix.parse("")).withMessageContaining("not a mix");
        assertThatIllegalArgumentException().isThrownBy(() -> ServiceMix.parse("a:1001")).withMessageContaining("1000");
    }
}
