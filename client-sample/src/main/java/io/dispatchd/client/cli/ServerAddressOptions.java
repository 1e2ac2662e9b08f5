package io.dispatchd.client.cli;

import io.dispatchd.client.ClientOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --host} and {@code --port}, shared by {@code send} and {@code bench}. */
final class ServerAddressOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = ClientOptions.DEFAULT_HOST,
            description = "Server host (default: ${DEFAULT-VALUE}).")
    String host;

    private int port = ClientOptions.DEFAULT_PORT;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ClientOptions.DEFAULT_PORT,
            description = "Server port (default: ${DEFAULT-VALUE}).")
    void setPort(int port) {
        if (port < 1 || port > 65_535) {
            throw new ParameterException(mixee.commandLine(), "--port must be 1-65535: " + port);
        }
        this.port = port;
    }

    int port() {
        return port;
    }

    String host() {
        return host;
    }
}
