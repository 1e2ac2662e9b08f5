package io.dispatchd.client.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class RequestBudgetTest {

    @Test
    void aCountBudgetMeasuresExactlyThatManyAfterTheWarmup() {
        RequestBudget budget = RequestBudget.ofCount(1_000, 2);

        assertThat(budget.claim(999)).isEqualTo(RequestBudget.WARMUP);
        assertThat(budget.claim(1_000)).isEqualTo(RequestBudget.MEASURED);
        assertThat(budget.claim(5_000)).isEqualTo(RequestBudget.MEASURED);
        assertThat(budget.claim(5_001)).isEqualTo(RequestBudget.DONE);
        assertThat(budget.claim(5_002)).isEqualTo(RequestBudget.DONE);
    }

    @Test
    void aDurationBudgetEndsAtTheDeadlineWhereverNanoTimeStarts() {
        long start = Long.MAX_VALUE - 10; // nanoTime may be near overflow: only differences count
        RequestBudget budget = RequestBudget.ofDuration(start, 20);

        assertThat(budget.claim(start - 1)).isEqualTo(RequestBudget.WARMUP);
        assertThat(budget.claim(start + 19)).isEqualTo(RequestBudget.MEASURED);
        assertThat(budget.claim(start + 20)).isEqualTo(RequestBudget.DONE);
    }
}
