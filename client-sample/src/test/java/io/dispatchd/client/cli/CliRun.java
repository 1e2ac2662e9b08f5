package io.dispatchd.client.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One in-process run of the command line: what it printed and how it exited. The environment is
 * empty unless a test gives one, so a {@code DISPATCHD_TOKEN} set where the build runs changes nothing.
 */
record CliRun(int exitCode, String out, String err) {

    static CliRun withStdin(String stdin, String... args) {
        return withEnv(Map.of(), stdin, args);
    }

    static CliRun withEnv(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DispatchClientCommand.execute(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                out, err, env::get, args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static CliRun run(String... args) {
        return withStdin("", args);
    }

    List<String> outLines() {
        return out.lines().toList();
    }
}
