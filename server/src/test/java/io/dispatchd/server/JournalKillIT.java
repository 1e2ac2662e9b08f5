package io.dispatchd.server;

import io.dispatchd.server.service.TallyService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The journal's promise, on the packaged jar: every job acked {@code +} runs at least once, even
 * when the server is killed with {@code kill -9} right after the acks. A test plugin
 * ({@link TallyService}, in a plugin jar built here) appends the qual of every job it ran to its
 * end to a file, which both processes share; the file, not the server's log, says what ran.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JournalKillIT {

    private static final int JOBS = 3000;

    @TempDir
    Path tmp;

    @Test
    void everyAckedJobRunsAtLeastOnceAcrossAKillDashNineAndTheRestartLogsHowManyItRecovered() throws Exception {
        Path journal = tmp.resolve("journal");
        Path tally = tmp.resolve("tally.txt");
        List<Path> plugins = List.of(ServerProcess.pluginJar(tmp, TallyService.class));
        // 4 workers, 3 ms a job: about 1300 jobs a second, so most of the 3000 are still queued at the kill
        List<String> jvm = List.of("-D" + TallyService.FILE + "=" + tally, "-D" + TallyService.PAUSE_MILLIS + "=3");
        String[] flags = {"--port", "0", "--admin-port", "off", "--journal", journal.toString(),
                "--fsync", "everysec", "--workers", "4", "--drain-timeout", "30s"};
        Set<String> acked = new LinkedHashSet<>();
        StringBuilder wire = new StringBuilder();
        for (int i = 1; i <= JOBS; i++) {
            String qual = String.format("q%05d", i);
            acked.add(qual);
            wire.append("tally ").append(qual).append('\n');
        }

        try (ServerProcess first = ServerProcess.startWithPlugins(plugins, jvm, flags)) {
            int port = first.awaitListening();
            try (TestConnection c = new TestConnection(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(c.send(wire.toString()).read(JOBS)).isEqualTo("+".repeat(JOBS));
            }
            // let a third run, long enough for the sync thread (every 100 ms) to journal many completions
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> TallyService.tallied(tally).size() >= JOBS / 3);
            first.process.destroyForcibly(); // SIGKILL: no drain, no last completions, no fsync
            assertThat(first.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(first.process.exitValue()).isEqualTo(137);
        }
        List<String> ranBeforeKill = TallyService.tallied(tally);
        Set<String> notYetRun = new HashSet<>(acked);
        ranBeforeKill.forEach(notYetRun::remove);
        assertThat(notYetRun).as("the kill came while acked jobs were still queued").isNotEmpty();

        try (ServerProcess second = ServerProcess.startWithPlugins(plugins, jvm, flags)) {
            second.awaitListening();
            int recovered = recoveredCount(second, journal);
            assertThat(recovered).as("every acked job not run to its end is recovered")
                    .isGreaterThanOrEqualTo(notYetRun.size())
                    .as("jobs whose completion was journaled before the kill do not come back").isLessThan(JOBS);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> new HashSet<>(TallyService.tallied(tally)).containsAll(acked));
            List<String> ranAll = TallyService.tallied(tally);
            assertThat(new HashSet<>(ranAll)).as("every acked qual ran at least once, and nothing else ran")
                    .isEqualTo(acked);
            System.out.printf("JournalKillIT: %d of %d ran before the kill, %d recovered, %d ran twice%n",
                    ranBeforeKill.size(), JOBS, recovered, ranAll.size() - acked.size());

            try (ServerProcess intruder = ServerProcess.startWithPlugins(plugins, jvm, flags)) {
                assertThat(intruder.awaitExit()).isEqualTo(1);
                assertThat(intruder.err.get(intruder.err.size() - 1)).as("a one-line reason naming the holder")
                        .isEqualTo("dispatchd: journal directory " + journal + " is in use by process "
                                + second.process.pid());
                assertThat(intruder.out).isEmpty();
            }

            second.terminate();
            assertThat(second.awaitExit()).isZero();
        }

        try (ServerProcess third = ServerProcess.startWithPlugins(plugins, jvm, flags)) {
            third.awaitListening();
            assertThat(recoveredCount(third, journal)).as("a clean stop leaves nothing to run again").isZero();
            third.terminate();
            assertThat(third.awaitExit()).isZero();
        }
    }

    /** The count in the start's "N jobs admitted and not completed before will run again" line. */
    private static int recoveredCount(ServerProcess server, Path journal) {
        Pattern line = Pattern.compile("journal " + Pattern.quote(journal.toString())
                + ": (\\d+) jobs admitted and not completed before will run again");
        // logged before the port opens: the listening line has been seen, the log line is on stderr
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> server.err.stream().anyMatch(l -> line.matcher(l).find()));
        for (String l : server.err) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("unreachable");
    }
}
