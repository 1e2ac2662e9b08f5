package io.dispatchd.protocol;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

/**
 * The picocli converter for every duration flag, the server's and the client's: {@link Durations}'
 * syntax, a number and a unit ({@code 250us}, {@code 5ms}, {@code 30s}, {@code 5m}, {@code 1h}).
 * A bare number other than {@code 0} is refused: {@code 10} could mean anything. picocli is an
 * optional dependency of this module: only the command lines that use this class bring it.
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
