package io.dispatchd.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TokenLinesTest {

    @Test
    void oneTokenALineStrippedWithBlankLinesAndCommentsSkipped() {
        assertThat(TokenLines.tokens(List.of("# rotate: add the new, remove the old", "", "  s3cret ", "\t", "n3w-one",
                "  # indented comment"))).containsExactly("s3cret", "n3w-one");
    }

    @Test
    void aFileOfCommentsHoldsNone() {
        assertThat(TokenLines.tokens(List.of("# nothing yet", " "))).isEmpty();
    }
}
