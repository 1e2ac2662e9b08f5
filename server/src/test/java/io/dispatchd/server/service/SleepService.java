package io.dispatchd.server.service;

/** Test plugin: {@code sleep 250} sleeps 250 ms (interruptibly), for timeouts and drains. */
public final class SleepService implements Service {

    @Override
    public String key() {
        return "sleep";
    }

    @Override
    public void execute(String qual, ServiceContext context) throws InterruptedException {
        Thread.sleep(Long.parseLong(qual));
    }
}
