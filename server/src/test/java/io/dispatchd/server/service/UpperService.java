package io.dispatchd.server.service;

import java.util.Locale;

/**
 * The documented example of a plugged-in service, registered in this module's test resources
 * under {@code META-INF/services/io.dispatchd.server.service.Service}: {@code upper hello} logs
 * {@code HELLO}. A real plugin ships the same two files in its own jar.
 */
public final class UpperService implements Service {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Engine.LOGGER_NAME);

    @Override
    public String key() {
        return "upper";
    }

    @Override
    public void execute(String qual, ServiceContext context) {
        log.info(qual.toUpperCase(Locale.ROOT));
    }
}
