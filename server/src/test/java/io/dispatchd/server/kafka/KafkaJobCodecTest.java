package io.dispatchd.server.kafka;

import io.dispatchd.server.executor.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaJobCodecTest {

    @Test
    void aJobIsItsRequestLineAndComesBackWithTheDeliveryAsItsAttempt() {
        byte[] value = KafkaJobCodec.encode(new Job(7, "a", "88 with spaces\tand é", 1));
        assertThat(new String(value, StandardCharsets.UTF_8)).isEqualTo("a 88 with spaces\tand é");
        assertThat(KafkaJobCodec.decode(value, 42, 3)).isEqualTo(new Job(42, "a", "88 with spaces\tand é", 3));
    }

    @Test
    void aServiceKeyFromAnotherProducerIsLowerCasedAsThePipelineDoes() {
        assertThat(KafkaJobCodec.decode("A 88".getBytes(StandardCharsets.UTF_8), 1, 1)).isEqualTo(new Job(1, "a", "88", 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", " a", "a "})
    void aValueThatIsNoJobDecodesToNull(String value) {
        assertThat(KafkaJobCodec.decode(value.getBytes(StandardCharsets.UTF_8), 1, 1)).isNull();
    }

    @Test
    void aRecordWithoutAValueIsNoJob() {
        assertThat(KafkaJobCodec.decode(null, 1, 1)).isNull();
    }

    @Test
    void aLaneTakesAtLeastFiveHundredJobsOrItsWorkersButNeverMoreThanHalfTheExecutorHolds() {
        assertThat(KafkaAdmission.batchSize(64, 64 + 10_000)).isEqualTo(500);
        assertThat(KafkaAdmission.batchSize(2_000, 2_000 + 10_000)).isEqualTo(2_000);
        assertThat(KafkaAdmission.batchSize(4, 4 + 100)).as("two lanes fit in the executor").isEqualTo(52);
        assertThat(KafkaAdmission.batchSize(1, 2)).isEqualTo(1);
    }
}
