package io.dispatchd.server.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test plugin: {@code record QUAL} counts, in this JVM, how many times a job with that qual ran.
 * Every server in the test JVM shares the count, so a test with several nodes (Kafka fronts and
 * workers) sees what ran anywhere. Quals carry a test's own prefix, so tests do not mix.
 */
public final class RecordService implements Service {

    private static final Map<String, AtomicInteger> RAN = new ConcurrentHashMap<>();

    @Override
    public String key() {
        return "record";
    }

    @Override
    public void execute(String qual, ServiceContext context) {
        RAN.computeIfAbsent(qual, q -> new AtomicInteger()).incrementAndGet();
    }

    /** How many times a job with this qual ran, in any server of this JVM. */
    public static int timesRan(String qual) {
        AtomicInteger n = RAN.get(qual);
        return n == null ? 0 : n.get();
    }
}
