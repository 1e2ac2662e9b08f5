package io.dispatchd.server.service;

/** Test plugin: {@code fail x} always throws, so its job counts failed. */
public final class FailingService implements Service {

    @Override
    public String key() {
        return "fail";
    }

    @Override
    public void execute(String qual, ServiceContext context) {
        throw new IllegalStateException("failing on purpose: " + qual);
    }
}
