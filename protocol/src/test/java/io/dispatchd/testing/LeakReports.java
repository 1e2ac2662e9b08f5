package io.dispatchd.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Netty's leak reports, kept so that a test can fail on them rather than only log them. The
 * build runs every test JVM with {@code -Dio.netty.leakDetection.level=paranoid} (every buffer
 * tracked) and {@code -Dio.netty.customResourceLeakDetector} naming {@link RecordingDetector}, so
 * each leak detector Netty makes records what it reports here. {@link LeakCheckExtension} (JUnit
 * Jupiter) and {@link LeakCheckHook} (jqwik) call {@link #assertNoLeaks} after each test.
 */
public final class LeakReports {

    private static final String DETECTOR_PROPERTY = "io.netty.customResourceLeakDetector";

    private static final List<RecordingDetector<?>> DETECTORS = new CopyOnWriteArrayList<>();
    private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();

    private LeakReports() {
    }

    /** Whether this JVM was started to record leaks: outside the build (an IDE run) the checks stand aside. */
    public static boolean enabled() {
        return RecordingDetector.class.getName().equals(System.getProperty(DETECTOR_PROPERTY));
    }

    /**
     * Collects garbage, has every detector look at what was collected, and fails with Netty's
     * reports if there are any. A leak shows once its buffer is unreachable: most often in the test
     * that dropped it, at the latest in a later one (hence "during or before").
     */
    public static void assertNoLeaks(String test) {
        if (!enabled()) {
            return;
        }
        List<String> reports = collect();
        if (!reports.isEmpty()) {
            throw new AssertionError("Netty reported " + reports.size() + " leak(s) during or before " + test
                    + " (a buffer never released; 'Created at' says where it was made):\n"
                    + String.join("\n\n", reports));
        }
    }

    /** Runs a full collection, lets each detector poll its queue, and takes the reports made so far. */
    static List<String> collect() {
        // The detectors exist once Netty has made its first buffer; make one, so that a JVM where
        // the property did not take effect fails here instead of passing unchecked.
        io.netty.buffer.Unpooled.buffer(1).release();
        if (DETECTORS.isEmpty() || ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("Netty's leak detector is not recording at paranoid level: run with "
                    + "-Dio.netty.leakDetection.level=paranoid -D" + DETECTOR_PROPERTY + "=" + RecordingDetector.class.getName());
        }
        awaitCollection();
        for (RecordingDetector<?> d : DETECTORS) {
            d.poll();
        }
        List<String> taken = new ArrayList<>();
        for (String r; (r = REPORTS.poll()) != null; ) {
            taken.add(r);
        }
        return taken;
    }

    /** A full GC, then until the reference handler has queued what it cleared (a sentinel cleared by the same GC). */
    private static void awaitCollection() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        System.gc();
        try {
            if (queue.remove(TimeUnit.SECONDS.toMillis(5)) == null) {
                throw new AssertionError("no garbage collection within 5 s of System.gc() (-XX:+DisableExplicitGC?)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sentinel.clear();
    }

    /** Named by {@code -Dio.netty.customResourceLeakDetector}: Netty's detector, recording each report it logs. */
    public static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

        public RecordingDetector(Class<?> resourceType, int samplingInterval) {
            super(resourceType, samplingInterval);
            DETECTORS.add(this);
        }

        /** The constructor Netty's factory looks for first; without it, it logs that it fell back. */
        public RecordingDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
            this(resourceType, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true; // whatever the logging configuration says
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            REPORTS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            REPORTS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected.");
            super.reportUntracedLeak(resourceType);
        }

        /** Reports what the collector has queued: Netty does so whenever it starts tracking an object. */
        @SuppressWarnings("unchecked")
        void poll() {
            Object probe = new Object();
            ResourceLeakTracker<T> tracker = trackForcibly((T) probe);
            tracker.close((T) probe);
        }
    }
}
