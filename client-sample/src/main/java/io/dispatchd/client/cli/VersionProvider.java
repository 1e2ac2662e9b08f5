package io.dispatchd.client.cli;

import io.dispatchd.protocol.ProtocolLimits;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the jar's version (from its manifest when packaged) and the wire protocol's. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = DispatchClientCommand.class.getPackage().getImplementationVersion();
        return new String[] {"dispatchd-client " + (version != null ? version : "(development build)")
                + ", wire protocol " + ProtocolLimits.PROTOCOL_VERSION};
    }
}
