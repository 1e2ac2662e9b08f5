package io.dispatchd.client.cli;

import io.dispatchd.client.DispatchClientException;
import io.dispatchd.client.bench.BenchFailedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * {@code dispatchd-client}: the top command; does nothing itself but hold the subcommands
 * {@code send} and {@code bench} and the streams they use (so tests can run it in-process).
 */
@Command(name = "dispatchd-client",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Sends requests to a dispatchd server, or load-tests one.",
        subcommands = {SendCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success",
                "1:could not connect (TLS handshake included), the token was refused, connection lost, or the run failed",
                "2:bad arguments (a one-line reason and the usage go to stderr)",
                "3-5:send only: some request was acked '-' (3), '?' (4) or '!' (5)"})
public final class DispatchClientCommand implements Runnable {

    @Spec
    CommandSpec spec;

    private final InputStream stdin;
    private final UnaryOperator<String> env;

    DispatchClientCommand(InputStream stdin, UnaryOperator<String> env) {
        this.stdin = stdin;
        this.env = env;
    }

    InputStream stdin() {
        return stdin;
    }

    /** The environment, by variable name ({@code System::getenv}, or what a test gives). */
    UnaryOperator<String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: send or bench");
    }

    /**
     * Runs the command line with the given streams and returns the exit code; never calls
     * {@code System.exit}, so tests can call it in-process.
     */
    public static int execute(InputStream in, OutputStream out, OutputStream err, String... args) {
        return execute(in, out, err, System::getenv, args);
    }

    /** As {@link #execute(InputStream, OutputStream, OutputStream, String...)}, with the environment given. */
    static int execute(InputStream in, OutputStream out, OutputStream err, UnaryOperator<String> env, String... args) {
        PrintWriter outWriter = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        CommandLine commandLine = newCommandLine(in, env).setOut(outWriter).setErr(errWriter);
        try {
            return commandLine.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    static CommandLine newCommandLine(InputStream in, UnaryOperator<String> env) {
        CommandLine commandLine = new CommandLine(new DispatchClientCommand(in, env));
        commandLine.setParameterExceptionHandler((e, args) -> {
            // always a one-line reason, then the usage of the command that was being parsed
            CommandLine failed = e.getCommandLine();
            failed.getErr().println(e.getMessage().lines().findFirst().orElse("bad arguments"));
            failed.usage(failed.getErr());
            return ExitCodes.USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            // expected failures (server unreachable, connection lost) are one line, not a stack trace
            cl.getErr().println("dispatchd-client: " + e.getMessage());
            if (!(e instanceof DispatchClientException || e instanceof BenchFailedException)) {
                e.printStackTrace(cl.getErr()); // a bug: keep the evidence
            }
            return ExitCodes.FAILURE;
        });
        return commandLine;
    }
}
