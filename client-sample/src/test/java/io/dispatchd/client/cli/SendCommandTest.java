package io.dispatchd.client.cli;

import io.dispatchd.client.DispatchClient;
import io.dispatchd.client.FastServerExtension;
import io.dispatchd.client.TestServers;
import io.dispatchd.server.DispatchServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dispatchd-client send}, end to end in-process against the real server. */
@Timeout(60)
class SendCommandTest {

    @RegisterExtension
    static final FastServerExtension server = new FastServerExtension();

    @Test
    void aRequestFromArgumentsPrintsItsAckAndExitsZeroOnOk() {
        CliRun run = CliRun.run("send", "--port", server.port(), "a", "88");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("+ OK\n");
    }

    @Test
    void quaLWordsAreJoinedWithOneSpace() {
        assertThat(CliRun.run("send", "--port", server.port(), "b", "12", "and", "more").out()).isEqualTo("+ OK\n");
    }

    @Test
    void anUnknownServicePrintsQuestionMarkAndExitsFour() {
        CliRun run = CliRun.run("send", "--port", server.port(), "zz", "88");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.out()).isEqualTo("? BAD_REQUEST\n");
    }

    @Test
    void aBusyServerPrintsBangAndExitsFive() throws Exception {
        try (DispatchServer busy = TestServers.start(TestServers.FILLABLE);
             DispatchClient filler = DispatchClient.connect(TestServers.optionsFor(busy))) {
            TestServers.fill(filler);

            CliRun run = CliRun.run("send", "--port", "" + busy.address().getPort(), "a", "88");

            assertThat(run.exitCode()).isEqualTo(5);
            assertThat(run.out()).isEqualTo("! BUSY\n");
        }
    }

    @Test
    void withoutARequestEachStdinLineIsSentAndItsAckPrintedInOrder() {
        String stdin = "a 88\nb 12\n\n  \nzz 1\nc\r\nd 37\nQUIT\na 99\n";

        CliRun run = CliRun.withStdin(stdin, "send", "--port", server.port());

        // blank lines get no ack; "c" has no qual: refused locally, printed as '?'; QUIT ends the input
        assertThat(run.outLines()).containsExactly("+ OK", "+ OK", "? BAD_REQUEST", "? BAD_REQUEST", "+ OK");
        assertThat(run.err()).contains("line 6: not sent: missing qual");
        assertThat(run.exitCode()).isEqualTo(4);
    }

    @Test
    void manyStdinLinesArePipelinedWithinTheWindow() {
        String stdin = String.join("\n", Collections.nCopies(5_000, "a 88")) + "\n";

        CliRun run = CliRun.withStdin(stdin, "send", "--port", server.port(), "--window", "64");

        assertThat(run.outLines()).hasSize(5_000).containsOnly("+ OK");
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void aRequestTheProtocolForbidsIsAUsageErrorAndNotSent() {
        CliRun run = CliRun.run("send", "--port", server.port(), "a+b", "1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("request not sent: service key must be 1-32 characters").contains("Usage:");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void connectRefusedIsOneLineAndExitOne() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CliRun run = CliRun.run("send", "--port", "" + closedPort, "a", "88");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo(
                "dispatchd-client: cannot connect to dispatchd at 127.0.0.1:" + closedPort + ": connection refused\n");
    }

    @Test
    void badFlagsGiveAOneLineReasonAndUsageOnStderrAndExitTwo() {
        for (String[] args : List.of(new String[] {"send", "--bogus"}, new String[] {"send", "--port", "x"},
                new String[] {"send", "--port", "0"}, new String[] {"send", "--timeout", "10"},
                new String[] {"send", "a"}, new String[] {"bench", "-n", "5", "-d", "1s"},
                new String[] {"bench", "--mix", "a:x"}, new String[] {"nosuch"}, new String[] {})) {
            CliRun run = CliRun.run(args);

            assertThat(run.exitCode()).as("%s", List.of(args)).isEqualTo(2);
            assertThat(run.err().lines().findFirst()).as("%s", List.of(args)).get().asString()
                    .doesNotStartWith("Usage:").doesNotStartWith("\tat ");
            assertThat(run.err()).as("%s", List.of(args)).contains("Usage:");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void helpWorksEverywhere() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"send", "--help"},
                new String[] {"bench", "--help"}, new String[] {"help", "bench"})) {
            CliRun run = CliRun.run(args);

            assertThat(run.exitCode()).as("%s", List.of(args)).isZero();
            assertThat(run.out()).as("%s", List.of(args)).contains("Usage: dispatchd-client");
            if (args.length > 1) {
                assertThat(run.out()).as("%s", List.of(args)).contains("--host", "--port");
            }
        }
    }
}
