package io.dispatchd.server.executor;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;

/**
 * What the workers run on ({@code --worker-threads}): platform threads, or, on a JVM that has them
 * (21 and newer), virtual threads. dispatchd is built for Java 17, so virtual threads are reached
 * by reflection, once, at startup.
 */
public enum WorkerThreads {
    PLATFORM {
        @Override
        Thread newThread(Runnable body, String name) {
            return new Thread(body, name);
        }
    },
    VIRTUAL {
        @Override
        Thread newThread(Runnable body, String name) {
            Thread t = VirtualThreads.FACTORY.newThread(body);
            t.setName(name);
            return t;
        }
    };

    abstract Thread newThread(Runnable body, String name);

    /** Whether this JVM has virtual threads. */
    public static boolean virtualAvailable() {
        return VirtualThreads.FACTORY != null;
    }

    /** Holds the factory, so that a JVM without virtual threads only finds out when asked. */
    private static final class VirtualThreads {
        static final ThreadFactory FACTORY = virtualFactory();

        private static ThreadFactory virtualFactory() {
            try {
                Method ofVirtual = Thread.class.getMethod("ofVirtual");
                Object builder = ofVirtual.invoke(null);
                Method factory = Class.forName("java.lang.Thread$Builder").getMethod("factory");
                return (ThreadFactory) factory.invoke(builder);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }
}
