package io.dispatchd.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The dashboard's files, served from the jar: read once, at class load. */
record StaticFile(byte[] bytes, String contentType) {

    static final Map<String, StaticFile> PAGES = Map.of(
            "/", load("index.html", "text/html; charset=utf-8"),
            "/dashboard.js", load("dashboard.js", "text/javascript; charset=utf-8"),
            "/dashboard.css", load("dashboard.css", "text/css; charset=utf-8"));

    private static StaticFile load(String name, String contentType) {
        try (InputStream in = StaticFile.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard/" + name + " is missing from the jar");
            }
            return new StaticFile(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
