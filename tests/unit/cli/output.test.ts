import { expect } from 'chai';
import { poolColumns } from '../../../cli/commands/pool.js';
import { volumeColumns, volumeView } from '../../../cli/commands/volume-view.js';
import { Printer, formatCell, renderProperties, renderTable } from '../../../cli/output.js';
import type { Pool, Volume } from '../../../cli/types.js';
import { Capture, volumeFixture } from './http-stub.js';

function volume(overrides: Record<string, unknown> = {}): Volume {
  return volumeFixture(overrides) as unknown as Volume;
}

/** The cell texts of a rendered table, row by row, without borders. */
function cells(table: string): string[][] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) => line.split('│').slice(1, -1).map((c) => c.trim()));
}

describe('cli output', () => {
  it('formats cells: nothing as -, lists one per line, maps as k=v', () => {
    expect(formatCell(null)).to.equal('-');
    expect(formatCell(undefined)).to.equal('-');
    expect(formatCell('')).to.equal('-');
    expect(formatCell([])).to.equal('-');
    expect(formatCell(0)).to.equal('0');
    expect(formatCell(false)).to.equal('false');
    expect(formatCell(['a', 'b'])).to.equal('a\nb');
    expect(formatCell({ k: 'v', n: { x: 1 } })).to.equal('k=v\nn={"x":1}');
    expect(formatCell({})).to.equal('-');
  });

  it('renders a table with a header row and one row per item', () => {
    const text = renderTable([{ header: 'ID', value: (r: { id: string }) => r.id }], [{ id: 'x1' }, { id: 'x2' }]);
    expect(cells(text)).to.deep.equal([['ID'], ['x1'], ['x2']]);
  });

  it('renders properties in the order given', () => {
    expect(cells(renderProperties({ b: 1, a: null }))).to.deep.equal([['Property', 'Value'], ['b', '1'], ['a', '-']]);
  });

  describe('volumes', () => {
    it('lists the default columns, and more with --all-projects and --long', () => {
      expect(volumeColumns({}).map((c) => c.header)).to.deep.equal(['ID', 'Name', 'Status', 'Size', 'Attached to']);
      const headers = volumeColumns({ long: true, allProjects: true }).map((c) => c.header);
      expect(headers).to.include.members(['Project', 'Type', 'Host', 'Properties', 'Availability Zone']);
    });

    it('shows attached servers in the list', () => {
      const v = volume({ attachments: [{ attachment_id: 'at1', server_id: 'srv1' }] });
      const attached = volumeColumns({}).find((c) => c.header === 'Attached to');
      expect(formatCell(attached?.value(v))).to.equal('srv1');
    });

    it('shows every field but links, sorted, with attachments split out', () => {
      const view = volumeView(volume({ attachments: [{ attachment_id: 'at1', server_id: 'srv1' }] }));
      expect(view).to.not.have.property('links');
      expect(view).to.not.have.property('attachments');
      expect(view.attached_servers).to.deep.equal(['srv1']);
      expect(view.attachment_ids).to.deep.equal(['at1']);
      expect(Object.keys(view)).to.deep.equal([...Object.keys(view)].sort());
    });
  });

  it('shows pool capabilities with --detail only', () => {
    const pool: Pool = { name: 'h@b#p', capabilities: { free_capacity_gb: 12, volume_backend_name: 'b' } };
    expect(poolColumns(false).map((c) => c.value(pool))).to.deep.equal(['h@b#p']);
    const detail = Object.fromEntries(poolColumns(true).map((c) => [c.header, c.value(pool)]));
    expect(detail).to.include({ Name: 'h@b#p', Backend: 'b', 'Free GB': 12 });
  });

  describe('Printer', () => {
    it('prints tables for people', () => {
      const out = new Capture();
      new Printer(out, false).record(volume(), volumeView);
      expect(cells(out.text)).to.deep.include(['status', 'available']);
    });

    it('prints the API object itself with --json', () => {
      const out = new Capture();
      const v = volume();
      new Printer(out, true).record(v, volumeView);
      expect(JSON.parse(out.text)).to.deep.equal(v);
      const list = new Capture();
      new Printer(list, true).list([v], volumeColumns({}));
      expect(JSON.parse(list.text)).to.deep.equal([v]);
    });

    it('prints a result as text or data', () => {
      const human = new Capture();
      new Printer(human, false).result({ id: 'x' }, 'done');
      expect(human.text).to.equal('done\n');
      const json = new Capture();
      new Printer(json, true).result({ id: 'x' }, 'done');
      expect(JSON.parse(json.text)).to.deep.equal({ id: 'x' });
    });
  });
});
