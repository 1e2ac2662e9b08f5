package io.dispatchd.server.service;

import io.dispatchd.protocol.Request;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** The dispatch table: service key → service. Immutable once built. */
public final class ServiceRegistry {

    /** Words the protocol gives a meaning of its own: no service may have them as its key. */
    public static final List<String> RESERVED = List.of("quit", "auth");

    private final Map<String, Service> byKey;
    /** Each key's place in {@link #keys()}: one lookup gives the request path a slot for its meters. */
    private final Map<String, Integer> indexByKey = new HashMap<>();

    private ServiceRegistry(Map<String, Service> byKey) {
        this.byKey = byKey;
        for (String key : byKey.keySet()) {
            indexByKey.put(key, indexByKey.size());
        }
    }

    /** The built-ins plus every {@link Service} that {@link ServiceLoader} finds on the class loader. */
    public static ServiceRegistry load(ClassLoader classLoader) {
        List<Service> services = new ArrayList<>(LetterService.builtIns());
        for (Service s : ServiceLoader.load(Service.class, classLoader)) {
            services.add(s);
        }
        return of(services);
    }

    /**
     * A registry of exactly these services.
     *
     * @throws IllegalStateException if a key is malformed or claimed twice: a plugged-in service must
     *                               never silently replace another
     */
    public static ServiceRegistry of(Collection<? extends Service> services) {
        Map<String, Service> byKey = new LinkedHashMap<>();
        for (Service s : services) {
            String key = s.key();
            if (!Request.isValidKey(key)) {
                throw new IllegalStateException(
                        "service " + s.getClass().getName() + " has an invalid key '" + key + "'");
            }
            if (RESERVED.contains(key.toLowerCase(Locale.ROOT))) {
                throw new IllegalStateException("service " + s.getClass().getName() + " claims the key '" + key
                        + "', which the protocol reserves (" + String.join(", ", RESERVED) + ")");
            }
            Service previous = byKey.putIfAbsent(key.toLowerCase(Locale.ROOT), s);
            if (previous != null) {
                throw new IllegalStateException("service key '" + key.toLowerCase(Locale.ROOT) + "' is claimed by both "
                        + describe(previous) + " and " + describe(s));
            }
        }
        return new ServiceRegistry(Collections.unmodifiableMap(byKey));
    }

    /** The service for a lower-case key, or {@code null}. */
    public Service lookup(String key) {
        return byKey.get(key);
    }

    /**
     * The position of the service with this lower-case key in {@link #keys()}, or -1 for a key no
     * service has: what dispatch routes by, and the index of the service's meters.
     */
    public int indexOf(String key) {
        Integer index = indexByKey.get(key);
        return index == null ? -1 : index;
    }

    public Collection<String> keys() {
        return byKey.keySet();
    }

    private static String describe(Service s) {
        return s instanceof LetterService ? "the built-in " + s : s.getClass().getName();
    }
}
