package io.dispatchd.client.bench;

import io.dispatchd.protocol.Request;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which services the bench asks for, by weight: {@code a:3,b:1} is three {@code a} for every
 * {@code b}. A weight may be left out ({@code a,b} is {@code a:1,b:1}).
 *
 * @param weights service key (lower case) to weight, in the order written
 */
public record ServiceMix(Map<String, Integer> weights) {

    public static final String DEFAULT = "a:1";
    /** Weights are ratios: beyond this the cycle of requests gets long for no gain. */
    public static final int MAX_TOTAL_WEIGHT = 1_000;

    public ServiceMix {
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("the mix names no service");
        }
        long total = 0;
        for (var entry : weights.entrySet()) {
            if (!Request.isValidKey(entry.getKey())) {
                throw new IllegalArgumentException("not a service key: '" + entry.getKey() + "'");
            }
            if (entry.getValue() < 1) {
                throw new IllegalArgumentException("weight of '" + entry.getKey() + "' must be positive");
            }
            total += entry.getValue();
        }
        if (total > MAX_TOTAL_WEIGHT) {
            throw new IllegalArgumentException("weights add up to " + total + ", more than " + MAX_TOTAL_WEIGHT);
        }
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }

    /** Parses {@code a:3,b:1}. */
    public static ServiceMix parse(String text) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            String[] keyAndWeight = part.trim().split(":", -1);
            if (keyAndWeight.length > 2 || keyAndWeight[0].isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' is not a mix like a:3,b:1");
            }
            int weight;
            try {
                weight = keyAndWeight.length == 2 ? Integer.parseInt(keyAndWeight[1].trim()) : 1;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part + "': the weight is not a number");
            }
            String key = keyAndWeight[0].trim().toLowerCase(Locale.ROOT);
            if (weights.put(key, weight) != null) {
                throw new IllegalArgumentException("service '" + key + "' appears twice in the mix");
            }
        }
        return new ServiceMix(weights);
    }

    /**
     * One period of requests in which each service appears exactly its weight times, spread out
     * (smooth weighted round-robin) rather than in runs: {@code a:3,b:1} gives {@code a a b a}.
     */
    public List<String> cycle() {
        List<String> keys = new ArrayList<>(weights.keySet());
        int[] current = new int[keys.size()];
        int total = weights.values().stream().mapToInt(Integer::intValue).sum();
        List<String> cycle = new ArrayList<>(total);
        for (int n = 0; n < total; n++) {
            int best = 0;
            for (int i = 0; i < keys.size(); i++) {
                current[i] += weights.get(keys.get(i));
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            cycle.add(keys.get(best));
        }
        return cycle;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        weights.forEach((key, weight) -> text.append(text.length() == 0 ? "" : ",").append(key).append(':').append(weight));
        return text.toString();
    }
}
