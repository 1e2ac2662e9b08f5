package io.dispatchd.client;

import io.dispatchd.server.DispatchServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TestServers#fast()} server for a whole test class:
 * {@code @RegisterExtension static final FastServerExtension server = new FastServerExtension();}
 */
public final class FastServerExtension implements BeforeAllCallback, AfterAllCallback {

    private DispatchServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = TestServers.fast();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    /** The request port, as the CLI takes it. */
    public String port() {
        return String.valueOf(server.address().getPort());
    }
}
