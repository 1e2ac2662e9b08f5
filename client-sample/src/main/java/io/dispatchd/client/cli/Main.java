package io.dispatchd.client.cli;

/** Entry point of {@code dispatchd-client.jar}: runs the command line and exits with its code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(DispatchClientCommand.execute(System.in, System.out, System.err, args));
    }
}
