package io.dispatchd.client.cli;

import io.dispatchd.protocol.Durations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

/**
 * Durations as the whole project writes them ({@link Durations}): a number and a unit,
 * {@code 250us}, {@code 5ms}, {@code 30s}, {@code 5m}, {@code 1h}. A bare number other than
 * {@code 0} is refused: {@code 10} could mean anything.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
