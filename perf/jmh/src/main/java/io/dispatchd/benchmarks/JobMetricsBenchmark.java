package io.dispatchd.benchmarks;

import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.metrics.DispatchMetrics;
import io.dispatchd.server.metrics.ServiceMeters;
import io.dispatchd.server.config.AckMode;
import io.dispatchd.server.service.LetterService;
import io.dispatchd.server.service.ServiceRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a worker pays to count one finished job: {@link ServiceMeters#jobFinished} (a completed counter and
 * the job-duration histogram), against the same with the Micrometer percentile-histogram
 * {@link Timer} it replaced. Run it with {@code -t 2} (both cores recording, as the workers do
 * under load): the contended case is the one that mattered.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JobMetricsBenchmark {

    private final ServiceMeters meters =
            new DispatchMetrics(ServiceRegistry.of(List.of(new LetterService('A'))), AckMode.ACCEPT).service("a");

    private final PrometheusMeterRegistry micrometer = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter micrometerCompleted = Counter.builder("completed").register(micrometer);
    private final Timer micrometerTimer = Timer.builder("duration")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(1_000))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(micrometer);

    @Benchmark
    public void serviceMetersJobFinished() {
        meters.jobFinished(JobOutcome.OK, 1_200);
    }

    @Benchmark
    public void micrometerTimerAndCounter() {
        micrometerCompleted.increment();
        micrometerTimer.record(1_200, TimeUnit.NANOSECONDS);
    }
}
