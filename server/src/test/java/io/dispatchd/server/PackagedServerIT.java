package io.dispatchd.server;

import io.dispatchd.server.service.Gate;
import io.dispatchd.server.service.GateService;
import io.dispatchd.testing.SystemTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The packaged jar, as a user runs it: startup lines, exit codes, signals, and nc. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PackagedServerIT {

    @TempDir
    Path gates;

    /** The packaged server with {@link GateService} plugged in, its gates in {@link #gates}. */
    private ServerProcess startWithGates(String... flags) throws Exception {
        return ServerProcess.startWithPlugins(List.of(ServerProcess.pluginJar(gates, GateService.class, Gate.class)),
                List.of("-D" + Gate.DIRECTORY + "=" + gates), flags);
    }

    @Test
    void sigtermDrainsEveryAdmittedJobAndExitsZero() throws Exception {
        try (ServerProcess server = startWithGates("--port", "0", "--admin-port", "off", "--workers", "1",
                "--engine-iterations", "5", "--engine-pause", "10ms")) {
            int port = server.awaitListening();
            Gate gate = Gate.inDirectory(gates);
            StringBuilder lines = new StringBuilder(gate.request("first")).append('\n');
            for (int i = 0; i < 10; i++) {
                lines.append("a job").append(i).append('\n');
            }
            try (TestConnection c = new TestConnection(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(c.send(lines.toString()).read(11)).isEqualTo("+".repeat(11));
                gate.awaitArrivals(1); // the one worker is held: the ten letter jobs are queued behind it
                server.terminate();
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                        .until(() -> server.err.stream().anyMatch(l -> l.contains("SIGTERM received")));
                assertThat(c.silentFor(300)).as("draining: the connection stays open while admitted jobs wait").isTrue();
                assertThat(server.process.isAlive()).isTrue();
                assertThat(server.out).as("nothing queued has run yet").noneMatch(l -> l.startsWith("job"));
                gate.open();
                assertThat(c.readToEnd()).as("nothing more owed in accept mode; the server closes").isEmpty();
            }
            assertThat(server.awaitExit()).isZero();
            for (int i = 0; i < 10; i++) {
                String last = "job" + i + "A004";
                assertThat(server.out).as("job %d ran to its last token", i).anyMatch(l -> l.startsWith(last));
            }
            assertThat(String.join("\n", server.err)).contains("SIGTERM received").contains("stopped")
                    .doesNotContain("abandoned");
        }
    }

    @Test
    void drainDeadlineLogsEachUnfinishedJobByServiceAndQualAndCompleteModeAcksItFailed() throws Exception {
        try (ServerProcess server = startWithGates("--port", "0", "--admin-port", "off", "--workers", "1",
                "--ack", "complete", "--drain-timeout", "200ms")) {
            int port = server.awaitListening();
            Gate neverOpened = Gate.inDirectory(gates);
            try (TestConnection c = new TestConnection(new InetSocketAddress("127.0.0.1", port))) {
                c.send(neverOpened.request("running-one") + "\nc waiting-one\n");
                neverOpened.awaitArrivals(1);
                server.terminate();
                assertThat(c.readToEnd()).isEqualTo("--");
            }
            assertThat(server.awaitExit()).isZero();
            String err = String.join("\n", server.err);
            assertThat(err).contains("service=gate qual=" + neverOpened.qual("running-one"))
                    .contains("service=c qual=waiting-one");
            assertThat(server.out).as("the queued job never ran").noneMatch(l -> l.startsWith("waiting-one"));
        }
    }

    @Test
    void ncSendsTheSeedRequestsAndGetsFourAcks() throws Exception {
        SystemTools.assumeInstalled("nc", "apt-get install -y netcat-openbsd");
        try (ServerProcess server = ServerProcess.start("--port", "0", "--admin-port", "off")) {
            int port = server.awaitListening();
            Process nc = new ProcessBuilder("nc", "-q", "1", "127.0.0.1", String.valueOf(port)).start();
            nc.getOutputStream().write("a 88\nb 12\nc 44\nd 37\n".getBytes(StandardCharsets.US_ASCII));
            nc.getOutputStream().close();
            assertThat(nc.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(nc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("++++");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> server.out.stream().anyMatch(l -> l.startsWith("37D499")));
            assertThat(server.out).anyMatch(l -> l.startsWith("88A000")).anyMatch(l -> l.startsWith("12B499"));
            server.terminate();
            assertThat(server.awaitExit()).isZero();
        }
    }

    @Test
    void badFlagsExitTwoWithAOneLineReasonAndUsage() throws Exception {
        for (List<String> flags : List.of(List.of("--port", "nope"), List.of("--workers", "0"),
                List.of("--idle-timeout", "30"), List.of("--no-such-flag"))) {
            try (ServerProcess server = ServerProcess.start(flags.toArray(String[]::new))) {
                assertThat(server.awaitExit()).as("%s", flags).isEqualTo(2);
                assertThat(server.err.get(0)).startsWith("dispatchd: ");
                assertThat(server.err).anyMatch(l -> l.startsWith("Usage: dispatchd"));
                assertThat(server.out).isEmpty();
            }
        }
    }

    @Test
    void portInUseExitsOneWithTheReason() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerProcess server = ServerProcess.start("--port", String.valueOf(taken.getLocalPort()),
                     "--admin-port", "off")) {
            assertThat(server.awaitExit()).isEqualTo(1);
            assertThat(server.err.get(server.err.size() - 1)).as("a one-line reason, last")
                    .isEqualTo("dispatchd: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use");
        }
    }

    /** Where Netty's native transports cannot load (as with io.netty.transport.noNative), auto still serves. */
    @Test
    void withoutNativeTransportsAutoServesOnNioAndANamedNativeOneExitsOne() throws Exception {
        java.util.Map<String, String> noNative = java.util.Map.of("JAVA_TOOL_OPTIONS", "-Dio.netty.transport.noNative=true");
        autoServesOn(noNative, "nio");
        for (String transport : List.of("epoll", "io_uring")) {
            assertThat(startupFailure(noNative, "--transport", transport))
                    .startsWith("dispatchd: --transport " + transport + " is not available here: ");
        }
    }

    /** An io_uring that loads but whose event loops cannot start (here: a bad ring setting) gives way to epoll. */
    @Test
    void ioUringLoopsThatFailToStartLeaveAutoOnEpollAndANamedIoUringExitsOne() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.channel.uring.IoUring.isAvailable()
                && io.netty.channel.epoll.Epoll.isAvailable(), "Linux with io_uring allowed");
        java.util.Map<String, String> badRing = java.util.Map.of("JAVA_TOOL_OPTIONS", "-Dio.netty.iouring.ringSize=1000000");
        assertThat(autoServesOn(badRing, "epoll")).anyMatch(l -> l.contains("cannot start the io_uring event loops")
                && l.contains("cqSize") && l.endsWith("trying epoll"));
        assertThat(startupFailure(badRing, "--transport", "io_uring"))
                .startsWith("dispatchd: cannot start the io_uring event loops: ").contains("cqSize");
    }

    /**
     * Starts the jar with {@code --transport auto} in this environment, checks that it serves on
     * {@code transport} and stops cleanly, and returns its log.
     */
    private static List<String> autoServesOn(java.util.Map<String, String> environment, String transport) throws Exception {
        try (ServerProcess server = ServerProcess.start(environment, "--port", "0", "--admin-port", "off",
                "--engine-iterations", "0")) {
            int port = server.awaitListening();
            try (TestConnection c = new TestConnection(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(c.send("a 1\nzz 2\n").read(2)).isEqualTo("+?");
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> server.err.stream().anyMatch(l -> l.contains("serving ")));
            assertThat(server.err).anyMatch(l -> l.contains("serving ") && l.endsWith(" on " + transport));
            server.terminate();
            assertThat(server.awaitExit()).isZero();
            return List.copyOf(server.err);
        }
    }

    /**
     * Starts the jar with these flags in this environment, checks that it exits 1 having served
     * nothing, and returns its last line.
     */
    private static String startupFailure(java.util.Map<String, String> environment, String... flags) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--port", "0", "--admin-port", "off"));
        args.addAll(List.of(flags));
        try (ServerProcess server = ServerProcess.start(environment, args.toArray(String[]::new))) {
            assertThat(server.awaitExit()).isEqualTo(1);
            assertThat(server.out).isEmpty();
            return server.err.get(server.err.size() - 1); // the one-line reason comes last
        }
    }

    @Test
    void unknownConfigKeyExitsTwoAndNamesIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path conf = dir.resolve("dispatchd.properties");
        java.nio.file.Files.writeString(conf, "port=0\nmax-conections=5\n");
        try (ServerProcess server = ServerProcess.start("--config", conf.toString())) {
            assertThat(server.awaitExit()).isEqualTo(2);
            assertThat(server.err.get(0)).startsWith("dispatchd: unknown key 'max-conections'");
        }
    }

    @Test
    void environmentConfiguresTheServerAndTheAdminLineShowsTheRealPort(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path conf = dir.resolve("dispatchd.properties");
        java.nio.file.Files.writeString(conf, "port=0\nadmin-port=off\nworkers=3\n");
        try (ServerProcess server = ServerProcess.start(
                java.util.Map.of("DISPATCHD_ADMIN_PORT", "0", "DISPATCHD_WORKERS", "4"), "--config", conf.toString())) {
            server.awaitListening();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> server.out.stream().anyMatch(l -> l.matches("dispatchd admin on http://127\\.0\\.0\\.1:\\d+/")));
            String adminLine = server.out.stream().filter(l -> l.startsWith("dispatchd admin on")).findFirst().orElseThrow();
            int adminPort = Integer.parseInt(adminLine.replaceAll(".*:(\\d+)/$", "$1"));
            assertThat(adminPort).isPositive();
            java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/health")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> server.err.stream().anyMatch(l -> l.contains("configuration: ")));
            assertThat(server.err).anyMatch(l -> l.contains("configuration: ") && l.contains("workers=4")
                    && l.contains("port=0") && l.contains("admin-port=0"));
            server.terminate();
            assertThat(server.awaitExit()).isZero();
        }
    }

    @Test
    void helpShowsEveryDefaultAndVersionPrintsItAndBothExitZero() throws Exception {
        try (ServerProcess help = ServerProcess.start("--help")) {
            assertThat(help.awaitExit()).isZero();
            String text = String.join(" ", help.out).replaceAll("\\s+", " ");
            assertThat(text).contains("--workers=N").contains("default: 64")
                    .contains("--queue-capacity=N").contains("default: 10000")
                    .contains("--engine-pause").contains("default: 100us")
                    .contains("--ack").contains("--drain-timeout").contains("default: 30s");
        }
        try (ServerProcess version = ServerProcess.start("--version")) {
            assertThat(version.awaitExit()).isZero();
            assertThat(version.out.get(0)).startsWith("dispatchd ").doesNotContain("unknown");
        }
    }
}
