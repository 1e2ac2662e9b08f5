package io.dispatchd.server.service;

/**
 * Test plugin: {@code gate NAME ...} waits, interruptibly, until the test opens the {@link Gate}
 * named {@code NAME}, then succeeds. Registered in this module's test resources; the packaged-jar
 * tests ship it in a plugin jar.
 */
public final class GateService implements Service {

    @Override
    public String key() {
        return "gate";
    }

    @Override
    public void execute(String qual, ServiceContext context) throws InterruptedException {
        Gate.pass(qual);
    }
}
