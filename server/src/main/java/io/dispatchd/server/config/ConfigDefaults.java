package io.dispatchd.server.config;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where a flag's value comes from when the command line does not give it: first the environment
 * ({@code --admin-port} ↔ {@code DISPATCHD_ADMIN_PORT}), then the config file ({@code admin-port=…}),
 * and only then the default written on the option. picocli consults this before the option's own
 * default, which gives the documented order flag > environment > file > default.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {

    private final Map<String, String> environment;
    private final Properties file;

    ConfigDefaults(Map<String, String> environment, Properties file) {
        this.environment = environment;
        this.file = file;
    }

    /** {@code --admin-port} → {@code DISPATCHD_ADMIN_PORT}. */
    static String environmentName(String key) {
        return "DISPATCHD_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** {@code --admin-port} → {@code admin-port}, the key in the file. */
    static String key(OptionSpec option) {
        return option.longestName().substring(2);
    }

    /** Whether an option may be set from the environment or the file (not --help, --version, --config). */
    static boolean configurable(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp() && !option.longestName().equals("--config");
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !configurable(option)) {
            return null;
        }
        String key = key(option);
        String fromEnvironment = environment.get(environmentName(key));
        if (fromEnvironment != null) {
            return fromEnvironment;
        }
        return file.getProperty(key);
    }
}
