package io.dispatchd.server.metrics;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads samples out of a Prometheus text scrape, for tests. */
public final class Scrape {

    private Scrape() {
    }

    /** The value of the sample {@code name{labels…}} in a scrape, whatever order the labels come in. */
    public static double sample(String scrape, String name, String... labelPairs) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(scrape);
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (int i = 0; i < labelPairs.length; i += 2) {
                all &= labels.contains(labelPairs[i] + "=\"" + labelPairs[i + 1] + "\"");
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no sample " + name + " with " + String.join(",", labelPairs) + " in:\n" + scrape);
    }

    /** The value of an unlabelled gauge. */
    public static double gauge(String scrape, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
        assertThat(m.find()).as("gauge %s in scrape", name).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
