/**
 * The qgtm Grafana dashboard, built with Grafana's Foundation SDK from the
 * rows in `panels.ts`. `generate.ts` writes it to `qgtm-dashboard.json`
 * (committed, checked against this module by the observability test); the
 * provisioning files next to it load it into a Grafana.
 */
import { DashboardBuilder, DashboardCursorSync, DatasourceVariableBuilder, MappingType, RowBuilder, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard, ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import { BigValueGraphMode, BigValueTextMode, LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { fileURLToPath } from 'node:url';
import { ROWS, type Mapping, type PanelSpec } from './panels.js';

/** The dashboard's uid: its URL is /d/qgtm. */
export const DASHBOARD_UID = 'qgtm';
/** The uid of the provisioned Prometheus data source (`provisioning/datasources/qgtm.yml`), the `datasource` variable's default. */
export const DATASOURCE_UID = 'qgtm-prometheus';

/** Every panel and query goes through the `datasource` variable, so one dashboard serves any Prometheus. */
/** The committed dashboard file, in the source tree (this module runs from dist/observability/grafana/). */
export const DASHBOARD_FILE = fileURLToPath(new URL('../../../observability/grafana/qgtm-dashboard.json', import.meta.url));

const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
const GRID_WIDTH = 24;
const HEIGHT = { stat: 4, timeseries: 8 } as const;
const DEFAULT_WIDTH = { stat: 4, timeseries: 8 } as const;
const REF_IDS = 'ABCDEFGHIJ';

/** A panel query as the test and the closing report see it. */
export interface PanelQuery {
  readonly row: string;
  readonly title: string;
  readonly expr: string;
}

/** Every query of every panel, in dashboard order (a panel with two queries gives two entries). */
export function panelQueries(): PanelQuery[] {
  return ROWS.flatMap((row) => row.panels.flatMap((p) => p.targets.map((t) => ({ row: row.title, title: p.title, expr: t.expr }))));
}

function valueMappings(m: Mapping): ValueMapping[] {
  const options = Object.fromEntries(Object.entries(m).map(([value, r], index) => [value, { ...r, index }]));
  return [{ type: MappingType.ValueToText, options }];
}

function panel(spec: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }): stat.PanelBuilder | timeseries.PanelBuilder {
  const b = spec.kind === 'stat'
    ? new stat.PanelBuilder()
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .graphMode(spec.mappings ? BigValueGraphMode.None : BigValueGraphMode.Area)
        .textMode(spec.showName ? BigValueTextMode.Name : BigValueTextMode.Auto)
    : new timeseries.PanelBuilder()
        .legend(new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).showLegend(true))
        .fillOpacity(10)
        .lineWidth(1);
  b.id(id).title(spec.title).description(spec.description).datasource(DATASOURCE).unit(spec.unit).gridPos(gridPos);
  if (spec.decimals !== undefined) b.decimals(spec.decimals);
  if (spec.mappings) b.mappings(valueMappings(spec.mappings));
  if (spec.thresholds) {
    b.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(spec.thresholds.map(([value, color]) => ({ value, color }))));
  }
  spec.targets.forEach((t, i) => {
    const q = new DataqueryBuilder().datasource(DATASOURCE).refId(REF_IDS[i]).expr(t.expr);
    if (t.legend !== undefined) q.legendFormat(t.legend);
    b.withTarget(q);
  });
  return b;
}

/** The dashboard as Grafana's JSON model (what `qgtm-dashboard.json` holds). */
export function buildDashboard(): Dashboard {
  const d = new DashboardBuilder('qgtm')
    .uid(DASHBOARD_UID)
    .description('qgtm trading runtime: health, risk, execution, reconciliation, portfolio, market data and the actor runtime, from the gateway\'s /metrics.')
    .tags(['qgtm', 'trading'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('10s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(
      new DatasourceVariableBuilder('datasource')
        .label('Data source')
        .type('prometheus')
        .current({ selected: true, text: 'qgtm Prometheus', value: DATASOURCE_UID }),
    );
  // Positions are laid out here rather than by the builder, which lets a panel overflow the 24-column grid before wrapping.
  let id = 1;
  let y = 0;
  for (const row of ROWS) {
    d.withRow(new RowBuilder(row.title).id(id++).gridPos({ x: 0, y, w: GRID_WIDTH, h: 1 }));
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const spec of row.panels) {
      const w = spec.width ?? DEFAULT_WIDTH[spec.kind];
      const h = HEIGHT[spec.kind];
      if (x + w > GRID_WIDTH) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      d.withPanel(panel(spec, id++, { x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return d.build();
}

/** The dashboard file's text: two-space JSON and a final newline, the same bytes for the same code. */
export function dashboardJson(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}
