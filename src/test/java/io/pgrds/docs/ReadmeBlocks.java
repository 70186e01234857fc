package io.pgrds.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shell blocks of a Markdown file that are marked runnable: a line {@code <!-- runnable -->} right before a
 * {@code ```sh} fence. Such blocks are what a reader types; {@code ReadmeIT} runs them in order.
 */
final class ReadmeBlocks {
    static final String MARK = "<!-- runnable -->";

    private ReadmeBlocks() {
    }

    static List<String> runnable(Path markdown) throws IOException {
        return runnable(Files.readAllLines(markdown));
    }

    static List<String> runnable(List<String> lines) {
        List<String> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals(MARK)) {
                continue;
            }
            if (i + 1 >= lines.size() || !lines.get(i + 1).strip().equals("```sh")) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + MARK + " must stand right before a ```sh block");
            }
            StringBuilder block = new StringBuilder();
            int j = i + 2;
            for (; j < lines.size() && !lines.get(j).strip().equals("```"); j++) {
                block.append(lines.get(j)).append('\n');
            }
            if (j >= lines.size()) {
                throw new IllegalArgumentException("line " + (i + 2) + ": the runnable block is never closed");
            }
            blocks.add(block.toString());
            i = j;
        }
        return blocks;
    }
}
