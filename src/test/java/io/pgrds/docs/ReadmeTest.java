package io.pgrds.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README stays a short, user-first page whose links lead somewhere and whose reference lives in docs/. */
class ReadmeTest {
    private static final Path README = Path.of("README.md");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");

    @Test
    void readmeStaysShort() throws IOException {
        int lines = Files.readAllLines(README).size();
        assertTrue(lines <= 250, "README.md has " + lines + " lines; keep it under 250 and move reference to docs/");
    }

    @Test
    void everyRelativeLinkInTheReadmeAndDocsLeadsToAFile() throws IOException {
        List<String> broken = new ArrayList<>();
        List<Path> pages = new ArrayList<>(List.of(README));
        try (Stream<Path> docs = Files.walk(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        int checked = 0;
        for (Path page : pages) {
            Matcher m = LINK.matcher(Files.readString(page));
            while (m.find()) {
                String target = m.group(1);
                if (target.contains("://") || target.startsWith("mailto:")) {
                    continue;
                }
                checked++;
                Path resolved = page.toAbsolutePath().getParent().resolve(target).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + " → " + target);
                }
            }
        }
        assertTrue(checked > 20, "expected the README and docs to link to each other, found " + checked + " links");
        assertEquals(List.of(), broken, "links that lead nowhere");
    }

    @Test
    void everyPageInDocsIsReachableFromTheReadme() throws IOException {
        String readme = Files.readString(README);
        List<String> orphans = new ArrayList<>();
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(p -> {
                String name = p.getFileName().toString();
                boolean jsonFormat = name.endsWith("-json.md") && readme.contains("docs/*-json.md");
                if (!readme.contains("(docs/" + name + ")") && !jsonFormat) {
                    orphans.add(name);
                }
            });
        }
        assertEquals(List.of(), orphans, "pages in docs/ the README does not lead to");
    }

    @Test
    void theQuickStartHasRunnableBlocks() throws IOException {
        List<String> blocks = ReadmeBlocks.runnable(README);
        assertTrue(blocks.size() >= 3, "the quick start's runnable blocks: " + blocks.size());
        assertTrue(String.join("", blocks).contains("pgrds apply"), "the quick start applies something");
    }

    @Test
    void aMarkNotFollowedByAShellBlockIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> ReadmeBlocks.runnable(List.of(ReadmeBlocks.MARK, "text")));
        assertThrows(IllegalArgumentException.class, () -> ReadmeBlocks.runnable(List.of(ReadmeBlocks.MARK, "```sh", "x")));
        assertEquals(List.of("a\nb\n"), ReadmeBlocks.runnable(List.of("x", ReadmeBlocks.MARK, "```sh", "a", "b", "```", "y")));
    }
}
