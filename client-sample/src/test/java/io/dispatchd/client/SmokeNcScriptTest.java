package io.dispatchd.client;

import io.dispatchd.server.DispatchServer;
import io.dispatchd.testing.SystemTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code scripts/smoke-nc.sh} against the real server (skipped where nc is not installed). */
@Timeout(30)
class SmokeNcScriptTest {

    private static final Path SCRIPT = Path.of("scripts/smoke-nc.sh");

    @Test
    void theSeedsFourRequestsAreAnsweredPlusPlusPlusPlus() throws Exception {
        assumeNcInstalled();
        try (DispatchServer server = TestServers.fast()) {
            Result result = run("127.0.0.1", "" + server.address().getPort());

            assertThat(result.exitCode()).as(result.output()).isZero();
            assertThat(result.output()).contains("answered ++++");
        }
    }

    @Test
    void anyOtherAnswerFailsTheSmokeTest() throws Exception {
        assumeNcInstalled();
        try (ScriptedServer busy = new ScriptedServer(line -> line.equals("QUIT") ? null : "!")) {
            Result result = run("127.0.0.1", "" + busy.port());

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.output()).contains("expected ++++");
        }
    }

    private static void assumeNcInstalled() {
        SystemTools.assumeInstalled("bash", "apt-get install -y bash");
        SystemTools.assumeInstalled("nc", "apt-get install -y netcat-openbsd");
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        assertThat(SCRIPT).exists();
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = SCRIPT.toString();
        System.arraycopy(args, 0, command, 2, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("script finished").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), output);
    }
}
