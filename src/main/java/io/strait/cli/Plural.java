package io.strait.cli;

/** Counts in messages: {@code 1 link}, {@code 2 links}, {@code 0 links}. */
final class Plural {

    private Plural() {
    }

    /** {@code n} and the noun, with an {@code s} unless n is 1. */
    static String count(long n, String singular) {
        return count(n, singular, singular + "s");
    }

    /** {@code n} and the noun, for nouns whose plural is not singular + s. */
    static String count(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }
}
