/**
 * The JMH benchmarks that compare every store on the class path with the raw cost of its medium,
 * and the report they produce ({@code ./bench}). For operators choosing a store and for
 * developers of sessionkit; not published.
 */
@NullMarked
package org.sessionkit.bench;

import org.jspecify.annotations.NullMarked;
