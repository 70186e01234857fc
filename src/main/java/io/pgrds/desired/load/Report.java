package io.pgrds.desired.load;

import java.util.List;

/**
 * Where the readers of one cluster's merged document put what they find wrong: at a JSON pointer into the
 * document, which the layers trace back to the file and line that set it.
 */
record Report(Layers layers, List<Problem> problems) {
    void add(String pointer, ProblemCode code, String message) {
        problems.add(layers.problem(pointer, code, message));
    }
}
