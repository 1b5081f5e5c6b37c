package io.strait.topology;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The brackets of HOCON text outside strings, comments and {@code ${...}}: the last { or [ left open at
 * the end, as {char, line} (or null), and the line where they first nest deeper than a limit (or 0).
 * typesafe-config reports neither: it says "end of file" without the line of the bracket left open, and
 * runs out of stack on deep nesting.
 */
record Brackets(int[] innermostUnclosed, int tooDeepAt) {

    static Brackets scan(String text, int limit) {
        Deque<int[]> open = new ArrayDeque<>();
        int line = 1;
        int tooDeep = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
            } else if (c == '#' || (c == '/' && i + 1 < n && text.charAt(i + 1) == '/')) {
                while (i + 1 < n && text.charAt(i + 1) != '\n') {
                    i++;
                }
            } else if (text.startsWith("\"\"\"", i)) {
                int end = text.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                for (int j = i; j < end; j++) {
                    line += text.charAt(j) == '\n' ? 1 : 0;
                }
                while (end < n && text.charAt(end) == '"') {
                    end++;
                }
                i = end - 1;
            } else if (c == '"') {
                while (i + 1 < n && text.charAt(i + 1) != '"' && text.charAt(i + 1) != '\n') {
                    i += text.charAt(i + 1) == '\\' && i + 2 < n && text.charAt(i + 2) != '\n' ? 2 : 1;
                }
                i += i + 1 < n && text.charAt(i + 1) == '"' ? 1 : 0;
            } else if (c == '$' && i + 1 < n && text.charAt(i + 1) == '{') {
                while (i + 1 < n && text.charAt(i + 1) != '}' && text.charAt(i + 1) != '\n') {
                    i++;
                }
                i += i + 1 < n && text.charAt(i + 1) == '}' ? 1 : 0;
            } else if (c == '{' || c == '[') {
                open.push(new int[] {c, line});
                if (open.size() > limit && tooDeep == 0) {
                    tooDeep = line;
                }
            } else if ((c == '}' || c == ']') && !open.isEmpty()) {
                open.pop();
            }
        }
        return new Brackets(open.peek(), tooDeep);
    }
}
