package io.valkeyrie.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one table every run prints: backend, measure, ours, reference, ratio, target, met?
 * Rows are added as the measurements finish; a measurement that could not run says why
 * in the "ours" column instead of leaving a gap.
 */
public final class Report {

	private static final String[] HEADER = { "backend", "measure", "ours", "reference", "ratio", "target", "met?" };

	private final List<String[]> rows = new ArrayList<>();

	private final List<String> notes = new ArrayList<>();

	/**
	 * Add a row.
	 * @param backend the backend
	 * @param measure what was measured, with its unit
	 * @param ours our value, formatted
	 * @param reference the reference value, formatted, or "-"
	 * @param ratio ours / reference, or NaN
	 * @param target the target, or "-"
	 * @param met whether the target is met, or {@code null} when there is no target
	 */
	public synchronized void add(String backend, String measure, String ours, String reference, double ratio, String target,
			Boolean met) {
		this.rows.add(new String[] { backend, measure, ours, reference, Double.isNaN(ratio) ? "-" : ratio(ratio), target,
				(met == null) ? "-" : (met ? "yes" : "NO") });
	}

	/**
	 * Add a row whose ratio (or value against an absolute target) has a 95 % interval; its
	 * met? column says {@code met}, {@code missed} or {@code undecided} (the interval straddles
	 * the target).
	 * @param interval the ratio with its interval (shown in the ratio column), or {@code null} when it could not be computed
	 * @param verdict met, missed or undecided, or {@code null} when there is no target
	 */
	public synchronized void add(String backend, String measure, String ours, String reference, Interval interval,
			String target, String verdict) {
		this.rows.add(new String[] { backend, measure, ours, reference, (interval != null) ? interval.format() : "-", target,
				(verdict != null) ? verdict : "-" });
	}

	/** A row for a measurement that failed. */
	public void failed(String backend, String measure, String target, String reason) {
		failed(backend, measure, "-", target, reason);
	}

	/** A row for a measurement whose own side failed while its reference ran. */
	public synchronized void failed(String backend, String measure, String reference, String target, String reason) {
		String shortReason = reason.replace('\n', ' ').replace('|', '/');
		if (shortReason.length() > 90) {
			shortReason = shortReason.substring(0, 87) + "...";
		}
		this.rows.add(new String[] { backend, measure, "failed: " + shortReason, reference, "-", target, "NO" });
	}

	/** A line printed under the table. */
	public synchronized void note(String note) {
		this.notes.add(note);
	}

	/** The table as Markdown (which also reads well in a terminal). */
	public synchronized String toMarkdown() {
		int[] widths = new int[HEADER.length];
		List<String[]> all = new ArrayList<>();
		all.add(HEADER);
		all.addAll(this.rows);
		for (String[] row : all) {
			for (int i = 0; i < row.length; i++) {
				widths[i] = Math.max(widths[i], row[i].length());
			}
		}
		StringBuilder out = new StringBuilder();
		line(out, HEADER, widths);
		String[] rule = new String[HEADER.length];
		for (int i = 0; i < rule.length; i++) {
			rule[i] = "-".repeat(Math.max(3, widths[i]));
		}
		line(out, rule, widths);
		for (String[] row : this.rows) {
			line(out, row, widths);
		}
		if (!this.notes.isEmpty()) {
			out.append('\n');
			for (String note : this.notes) {
				out.append("- ").append(note).append('\n');
			}
		}
		return out.toString();
	}

	private static void line(StringBuilder out, String[] cells, int[] widths) {
		out.append('|');
		for (int i = 0; i < cells.length; i++) {
			out.append(' ').append(cells[i]).append(" ".repeat(widths[i] - cells[i].length())).append(" |");
		}
		out.append('\n');
	}

	/** A ratio: three decimals, so one just below a target (0.998 against 1.00) does not read as met. */
	public static String ratio(double ratio) {
		return (ratio >= 100) ? format(ratio, 0) : (ratio >= 10) ? String.format(Locale.ROOT, "%.1f", ratio)
				: String.format(Locale.ROOT, "%.3f", ratio);
	}

	/** A number with {@code digits} significant decimals, without scientific notation. */
	public static String format(double value, int digits) {
		if (Double.isNaN(value)) {
			return "-";
		}
		double abs = Math.abs(value);
		if (abs >= 1000) {
			return String.format(Locale.ROOT, "%,.0f", value);
		}
		if (abs >= 100) {
			return String.format(Locale.ROOT, "%.0f", value);
		}
		if (abs >= 10) {
			return String.format(Locale.ROOT, "%." + Math.max(0, digits - 1) + "f", value);
		}
		if (abs >= 0.1 || abs == 0) {
			return String.format(Locale.ROOT, "%." + digits + "f", value);
		}
		return String.format(Locale.ROOT, "%." + (digits + 2) + "f", value);
	}

}
