package io.dispatchd.client.cli;

import io.dispatchd.client.ScriptedServerAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench --raw}: the generic mode, against a stand-in that answers like Redis ({@code :1\r\n}
 * per line) or with one byte per line.
 */
@Timeout(60)
class BenchRawModeTest {

    @Test
    void lineRepliesWithTheExpectedPrefixAreCountedAsExpected() throws Exception {
        try (var redisLike = ScriptedServerAccess.replying(":1\r\n")) {
            CliRun run = CliRun.run("bench", "--port", "" + redisLike.port(), "-n", "2000", "-c", "2", "-P", "4", "-q",
                    "--raw", "LPUSH q 88\\r\\n", "--reply", "line", "--expect", ":");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("requests    2000 in").contains("replies     expected 2000, unexpected 0");
            assertThat(redisLike.lines().poll()).isEqualTo("LPUSH q 88");
        }
    }

    @Test
    void repliesWithAnotherPrefixAreCountedAsUnexpected() throws Exception {
        try (var beanstalkLike = ScriptedServerAccess.replying("JOB_TOO_BIG\r\n")) {
            CliRun run = CliRun.run("bench", "--port", "" + beanstalkLike.port(), "-n", "300", "-c", "1", "-q",
                    "--raw", "put 0 0 60 2\\r\\n88\\r\\n", "--reply", "line", "--expect", "INSERTED");

            assertThat(run.out()).contains("replies     expected 0, unexpected 300");
        }
    }

    @Test
    void fixedSizeRepliesAreCountedByTheirSize() throws Exception {
        try (var oneByte = ScriptedServerAccess.replying("+")) {
            CliRun run = CliRun.run("bench", "--port", "" + oneByte.port(), "-n", "1000", "-c", "3", "-P", "2", "-q",
                    "--raw", "a 88\\n", "--reply", "bytes:1", "--expect", "+", "--csv");

            assertThat(run.exitCode()).isZero();
            assertThat(run.outLines().get(1)).contains(",1000,");
        }
    }

    @Test
    void rawModeFlagsAreCheckedTogether() {
        assertThat(CliRun.run("bench", "--raw", "x\\n", "--mix", "a:1").err()).startsWith("--mix and --raw are exclusive");
        assertThat(CliRun.run("bench", "--expect", "+").err()).startsWith("--reply and --expect go with --raw");
        assertThat(CliRun.run("bench", "--raw", "x\\q").err()).startsWith("unknown escape \\q");
        assertThat(CliRun.run("bench", "--raw", "x", "--reply", "bytes:0").err()).startsWith("'bytes:0' is not a reply format");
        assertThat(CliRun.run("bench", "--raw", "x", "--reply", "bytes:0").exitCode()).isEqualTo(2);
    }
}
