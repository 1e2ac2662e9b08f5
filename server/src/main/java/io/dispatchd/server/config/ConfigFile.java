package io.dispatchd.server.config;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The {@code --config} properties file: keys spelled as the flags without dashes
 * ({@code admin-port=7071}, {@code ack=complete}). A key that is no flag is an error, not
 * silence: a typo in a config file must not quietly leave a default in force.
 */
final class ConfigFile {

    private ConfigFile() {
    }

    /** The file named by {@code --config FILE} / {@code --config=FILE}, else by {@code DISPATCHD_CONFIG}, else none. */
    static Path locate(String[] args, Map<String, String> environment) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String fromEnvironment = environment.get("DISPATCHD_CONFIG");
        return fromEnvironment == null || fromEnvironment.isBlank() ? null : Path.of(fromEnvironment);
    }

    /** Reads and checks the file; no file gives empty properties. */
    static Properties load(Path path, CommandSpec spec) {
        Properties p = read(path, "config file");
        TreeSet<String> known = new TreeSet<>();
        for (OptionSpec option : spec.options()) {
            if (ConfigDefaults.configurable(option)) {
                known.add(ConfigDefaults.key(option));
            }
        }
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' in config file " + path
                        + " (keys are the flags without dashes: " + String.join(", ", known) + ")");
            }
        }
        return p;
    }

    /**
     * A properties file (UTF-8), or none for {@code null}.
     *
     * @param what the file's part, for the message: {@code cannot read WHAT PATH: why}
     * @throws IllegalArgumentException when it cannot be read: a bad flag
     */
    static Properties read(Path path, String what) {
        Properties p = new Properties();
        if (path == null) {
            return p;
        }
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + path + ": " + e.getMessage(), e);
        }
        return p;
    }
}
