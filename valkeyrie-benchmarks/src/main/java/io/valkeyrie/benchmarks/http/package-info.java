/**
 * The HTTP clients the consul backend was chosen against, measured on the same agent.
 */
@NullMarked
package io.valkeyrie.benchmarks.http;

import org.jspecify.annotations.NullMarked;
