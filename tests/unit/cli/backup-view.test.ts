import { expect } from 'chai';
import { BACKUP_COLUMNS, backupView, formatCopies } from '../../../cli/commands/backup-view.js';
import type { Backup } from '../../../cli/types.js';

const backup: Backup = {
  id: 'b1', name: 'bk', status: 'available', volume_id: 'v1', size: 1,
  links: [],
  copies: [
    { repository: 'default', status: 'available', fail_reason: null },
    { repository: 'offsite', status: 'error', fail_reason: 'disk full' },
  ],
};

describe('cli backup view', () => {
  it('formats copies in the API order, reasons only when asked, nothing as null', () => {
    expect(formatCopies(backup.copies, { reasons: true })).to.equal('default: available, offsite: error (disk full)');
    expect(formatCopies(backup.copies, { reasons: false })).to.equal('default: available, offsite: error');
    expect(formatCopies([], { reasons: true })).to.equal(null);
    expect(formatCopies(undefined, { reasons: true })).to.equal(null);
  });

  it('shows every field but links, sorted, copies as one line', () => {
    const view = backupView(backup);
    expect(view).to.not.have.property('links');
    expect(view.copies).to.equal('default: available, offsite: error (disk full)');
    expect(Object.keys(view)).to.deep.equal([...Object.keys(view)].sort());
  });

  it('lists the copies last, without reasons', () => {
    const column = BACKUP_COLUMNS.at(-1);
    expect(column?.header).to.equal('Copies');
    expect(column?.value(backup)).to.equal('default: available, offsite: error');
  });
});
