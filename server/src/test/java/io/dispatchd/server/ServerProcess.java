package io.dispatchd.server;

import io.dispatchd.server.service.Service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/** The packaged server jar running as a child process, with its stdout and stderr captured line by line. */
final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("dispatchd listening on ([0-9.]+):(\\d+)");

    final Process process;
    final List<String> out = new CopyOnWriteArrayList<>();
    final List<String> err = new CopyOnWriteArrayList<>();
    private final Thread outPump;
    private final Thread errPump;

    private ServerProcess(Process process) {
        this.process = process;
        outPump = pump(process.inputReader(StandardCharsets.UTF_8), out);
        errPump = pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), err);
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("dispatchd.serverJar", "target/dispatchd-server.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no packaged server at " + jar + ": run `mvn verify`");
        }
        return jar;
    }

    static ServerProcess start(String... flags) throws IOException {
        return start(java.util.Map.of(), flags);
    }

    static ServerProcess start(java.util.Map<String, String> environment, String... flags) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(leakDetection());
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(flags));
        return launch(cmd, environment);
    }

    /**
     * The packaged jar with plugin jars beside it on the class path, as a user adds a plugin, and
     * extra JVM options (system properties for a test plugin).
     */
    static ServerProcess startWithPlugins(List<Path> plugins, List<String> jvmOptions, String... flags)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(leakDetection());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        StringBuilder classPath = new StringBuilder(jar().toString());
        for (Path plugin : plugins) {
            classPath.append(java.io.File.pathSeparatorChar).append(plugin);
        }
        cmd.add(classPath.toString());
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(flags));
        return launch(cmd, java.util.Map.of());
    }

    /**
     * A plugin jar in {@code dir} holding {@code service}, the classes it needs, and its
     * ServiceLoader registration, as a plugin author ships one.
     */
    static Path pluginJar(Path dir, Class<? extends Service> service, Class<?>... helpers) throws IOException {
        Path jar = dir.resolve(service.getSimpleName() + "-plugin.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            List<Class<?>> classes = new ArrayList<>(List.of(helpers));
            classes.add(0, service);
            for (Class<?> c : classes) {
                String classFile = c.getName().replace('.', '/') + ".class";
                try (InputStream bytes = c.getClassLoader().getResourceAsStream(classFile)) {
                    if (bytes == null) {
                        throw new IllegalStateException("no " + classFile + " on the test class path");
                    }
                    out.putNextEntry(new JarEntry(classFile));
                    bytes.transferTo(out);
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + Service.class.getName()));
            out.write((service.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    /** The test JVM's leak detection settings, for the server too; {@link #close} fails on a leak it reported. */
    private static List<String> leakDetection() {
        List<String> options = new ArrayList<>();
        for (String property : List.of("io.netty.leakDetection.level", "io.netty.leakDetection.targetRecords")) {
            String value = System.getProperty(property);
            if (value != null) {
                options.add("-D" + property + "=" + value);
            }
        }
        return options;
    }

    private static ServerProcess launch(List<String> cmd, java.util.Map<String, String> environment) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("DISPATCHD_"));
        pb.environment().putAll(environment);
        return new ServerProcess(pb.start());
    }

    private static Thread pump(BufferedReader reader, List<String> into) {
        Thread t = new Thread(() -> {
            try (reader) {
                String line;
                while ((line = reader.readLine()) != null) {
                    into.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "server-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for the startup line and returns the port it names. */
    int awaitListening() {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> out.stream().anyMatch(l -> LISTENING.matcher(l).find()) || !process.isAlive());
        for (String line : out) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(2));
            }
        }
        throw new IllegalStateException("server did not start: " + err);
    }

    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("server did not exit; stderr: " + err);
        }
        // the pumps may still be reading the last lines: they end at EOF
        outPump.join(TimeUnit.SECONDS.toMillis(10));
        errPump.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    /** SIGTERM on Unix. */
    void terminate() {
        process.toHandle().destroy(); // Process.destroy() would also close our ends of its output
    }

    @Override
    public void close() {
        process.destroyForcibly();
        List<String> leaks = err.stream().filter(l -> l.contains("LEAK:")).toList();
        if (!leaks.isEmpty()) {
            throw new AssertionError("the server reported a leak:\n" + String.join("\n", err));
        }
    }
}
