package io.dispatchd.benchmarks;

import io.dispatchd.server.executor.BoundedJobExecutor;
import io.dispatchd.server.executor.Job;
import io.dispatchd.server.executor.JobOutcome;
import io.dispatchd.server.executor.JobTicket;
import io.dispatchd.server.executor.Refusal;
import io.dispatchd.server.executor.WorkerThreads;
import io.dispatchd.server.service.Engine;
import io.dispatchd.server.service.LetterService;
import io.dispatchd.server.service.Service;
import io.dispatchd.server.service.ServiceContext;
import io.dispatchd.server.service.ServiceRegistry;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The alternative to services that wait without a thread: the engine run synchronously
 * (each job blocks its worker for its 50 ms) on virtual-thread workers, against the asynchronous
 * engine on the default 64 platform workers. The real executor in all three, jobs fed to keep
 * IN_FLIGHT in progress, tokens off. A plain program, like {@link PauseBench}:
 *
 * <pre>
 *   java -cp perf/jmh/target/benchmarks.jar io.dispatchd.benchmarks.WorkerThreadsBench MODE IN_FLIGHT [SECONDS]
 *   MODE  async           64 platform workers, --max-running IN_FLIGHT, the engine asynchronous (the default)
 *         virtual-sync    IN_FLIGHT virtual-thread workers (JDK 21+), the engine blocking each worker
 *         platform-sync   IN_FLIGHT platform-thread workers, the engine blocking each worker
 * </pre>
 * Prints jobs completed/s, process CPU per job, RSS and live threads at the end.
 */
public final class WorkerThreadsBench {

    private WorkerThreadsBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int inFlight = Integer.parseInt(args[1]);
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Engine engine = new Engine(500, Duration.ofNanos(100_000));
        ServiceContext context = () -> engine;
        Service blocking = new Service() {
            public String key() {
                return "a";
            }

            public void execute(String qual, ServiceContext c) throws InterruptedException {
                c.engine().run(qual, 'A');
            }
        };
        BoundedJobExecutor executor = switch (mode) {
            case "async" -> new BoundedJobExecutor(64, WorkerThreads.PLATFORM, inFlight, inFlight, Duration.ZERO,
                    ServiceRegistry.of(List.of(new LetterService('A'))), context);
            case "virtual-sync" -> new BoundedJobExecutor(inFlight, WorkerThreads.VIRTUAL, inFlight, inFlight, Duration.ZERO,
                    ServiceRegistry.of(List.of(blocking)), context);
            case "platform-sync" -> new BoundedJobExecutor(inFlight, WorkerThreads.PLATFORM, inFlight, inFlight,
                    Duration.ZERO, ServiceRegistry.of(List.of(blocking)), context);
            default -> throw new IllegalArgumentException("mode: async | virtual-sync | platform-sync");
        };
        executor.start();
        Semaphore room = new Semaphore(inFlight);
        AtomicLong done = new AtomicLong();
        JobTicket ticket = new JobTicket() {
            public void admitted() {
            }

            public void refused(Refusal why) {
                room.release();
            }

            public void finished(JobOutcome outcome, long runNanos) {
                done.incrementAndGet();
                room.release();
            }
        };
        Thread feeder = new Thread(() -> {
            long id = 0;
            try {
                while (true) {
                    room.acquire();
                    executor.offer(new Job(++id, "a", "88", 1), ticket);
                }
            } catch (InterruptedException e) {
                // measured enough
            }
        }, "feeder");
        feeder.setDaemon(true);
        feeder.start();
        Thread.sleep(3_000); // warm-up
        long cpu0 = cpuNanos();
        long done0 = done.get();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long jobs = done.get() - done0;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long cpu = cpuNanos() - cpu0;
        System.out.printf("RESULT mode=%s in_flight=%d jobs_per_s=%.0f cpu_us_per_job=%.1f rss_mb=%d threads=%d java=%d%n",
                mode, inFlight, jobs / elapsed, jobs == 0 ? 0 : cpu / 1e3 / jobs, rssMb(),
                ManagementFactory.getThreadMXBean().getThreadCount(), Runtime.version().feature());
        feeder.interrupt();
        executor.close();
        engine.close();
        System.exit(0);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long rssMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
