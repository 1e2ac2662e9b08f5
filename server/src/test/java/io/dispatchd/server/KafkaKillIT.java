package io.dispatchd.server;

import io.dispatchd.server.service.TallyService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka scale-out on the packaged jar: a front and two worker processes on a real broker (in this
 * JVM), and one worker killed with {@code kill -9} mid-run. Every job acked {@code +} still runs,
 * at least once: the {@link TallyService} plugin appends each qual it ran to a file all processes
 * share, and the file, not a log, says what ran.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaKillIT {

    private static final int JOBS = 3000;
    private static KafkaTestCluster kafka;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaTestCluster.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void everyAckedJobRunsAtLeastOnceWhenAWorkerIsKilledMidRun() throws Exception {
        // a tally per worker, so that the test can tell the doomed one had jobs when it died
        Path doomedTally = tmp.resolve("tally-doomed.txt");
        Path survivorTally = tmp.resolve("tally-survivor.txt");
        List<Path> plugins = List.of(ServerProcess.pluginJar(tmp, TallyService.class));
        // 4 workers, 3 ms a job: about 1300 jobs a second per worker, so most jobs are still to run at the kill
        List<String> doomedJvm = tallyingTo(doomedTally);
        List<String> survivorJvm = tallyingTo(survivorTally);
        List<String> common = List.of("--admin-port", "off", "--kafka", kafka.bootstrap(), "--kafka-topic", "kill",
                "--kafka-group", "kill", "--workers", "4");
        Set<String> acked = new LinkedHashSet<>();
        StringBuilder wire = new StringBuilder();
        for (int i = 1; i <= JOBS; i++) {
            String qual = String.format("q%05d", i);
            acked.add(qual);
            wire.append("tally ").append(qual).append('\n');
        }

        try (ServerProcess doomed = worker(plugins, doomedJvm, common);
             ServerProcess survivor = worker(plugins, survivorJvm, common);
             ServerProcess front = ServerProcess.startWithPlugins(plugins, List.of(),
                     flags(common, "--role", "front", "--port", "0"))) {
            int port = front.awaitListening();
            long sending = System.nanoTime();
            try (TestConnection c = new TestConnection(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(c.send(wire.toString()).read(JOBS)).isEqualTo("+".repeat(JOBS));
            }
            System.out.printf("KafkaKillIT: acked %d jobs in %d ms%n", JOBS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sending));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                    .until(() -> ran(doomedTally, survivorTally).size() >= JOBS / 3);
            System.out.printf("KafkaKillIT: a third had run %d ms after the first request%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sending));
            doomed.process.destroyForcibly(); // SIGKILL: its jobs in hand are never acknowledged
            assertThat(doomed.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(doomed.process.exitValue()).isEqualTo(137);
            long killed = System.nanoTime();
            int ranAtKill = ran(doomedTally, survivorTally).size();
            int doomedRan = TallyService.tallied(doomedTally).size();
            assertThat(ranAtKill).as("the kill came mid-run").isLessThan(JOBS);
            assertThat(doomedRan).as("the killed worker was running jobs too, not only the survivor").isPositive();

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> new HashSet<>(ran(doomedTally, survivorTally)).containsAll(acked));
            List<String> ran = ran(doomedTally, survivorTally);
            assertThat(new HashSet<>(ran)).as("every acked qual ran at least once, and nothing else ran").isEqualTo(acked);
            System.out.printf("KafkaKillIT: %d of %d had run at the kill (%d on the killed worker); all had run %d ms after it;"
                    + " %d ran twice or more%n", ranAtKill, JOBS, doomedRan,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed), ran.size() - acked.size());

            survivor.terminate();
            front.terminate();
            assertThat(survivor.awaitExit()).isZero();
            assertThat(front.awaitExit()).isZero();
        }
    }

    /** A worker-only node, once it says what it consumes: it opens no request port. */
    private static ServerProcess worker(List<Path> plugins, List<String> jvm, List<String> common) throws IOException {
        ServerProcess p = ServerProcess.startWithPlugins(plugins, jvm, flags(common, "--role", "worker"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> p.out.contains("dispatchd worker consuming kill as kill") || !p.process.isAlive());
        assertThat(p.out).as("the startup line; stderr: %s", p.err).containsExactly("dispatchd worker consuming kill as kill");
        return p;
    }

    private static String[] flags(List<String> common, String... more) {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }


    private static List<String> tallyingTo(Path tally) {
        return List.of("-D" + TallyService.FILE + "=" + tally, "-D" + TallyService.PAUSE_MILLIS + "=3");
    }

    /** Every qual either worker ran to its end, so far. */
    private static List<String> ran(Path... tallies) throws IOException {
        List<String> all = new ArrayList<>();
        for (Path t : tallies) {
            all.addAll(TallyService.tallied(t));
        }
        return all;
    }
}
