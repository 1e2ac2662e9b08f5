package io.dispatchd.client.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One in-process run of the command line: what it printed and how it exited. */
record CliRun(int exitCode, String out, String err) {

    static CliRun withStdin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DispatchClientCommand.execute(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                out, err, args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static CliRun run(String... args) {
        return withStdin("", args);
    }

    List<String> outLines() {
        return out.lines().toList();
    }
}
