import { expect } from 'chai';
import { InvalidInputError } from '../../../common/errors.js';
import { isFullPage, parseLimit, parseSort } from '../../../api/http/pagination.js';
import { LinkBuilder } from '../../../api/http/links.js';
import { VOLUME_SORT_RULES } from '../../../api/volumes/schema.js';

describe('api/http pagination', () => {
  describe('parseLimit', () => {
    it('defaults to and caps at the maximum', () => {
      expect(parseLimit(undefined, 1000)).to.equal(1000);
      expect(parseLimit('5', 1000)).to.equal(5);
      expect(parseLimit('5000', 1000)).to.equal(1000);
      expect(parseLimit('0', 1000)).to.equal(0);
    });

    it('refuses non-integers and negatives', () => {
      for (const bad of ['abc', '1.5', '-1', '']) expect(() => parseLimit(bad, 10), bad).to.throw(InvalidInputError);
    });
  });

  describe('parseSort', () => {
    it('defaults to created_at desc with an id tiebreak', () => {
      expect(parseSort({}, VOLUME_SORT_RULES)).to.deep.equal([
        { key: 'created_at', dir: 'desc' },
        { key: 'id', dir: 'desc' },
      ]);
    });

    it('reads sort=key:dir lists, mapping display_name to name and defaulting to desc', () => {
      expect(parseSort({ sort: 'display_name:asc,size' }, VOLUME_SORT_RULES)).to.deep.equal([
        { key: 'name', dir: 'asc' },
        { key: 'size', dir: 'desc' },
        { key: 'id', dir: 'asc' },
      ]);
    });

    it('reads legacy sort_key/sort_dir, and sort_dir alone on the default key', () => {
      expect(parseSort({ sort_key: 'size', sort_dir: 'asc' }, VOLUME_SORT_RULES)[0]).to.deep.equal({ key: 'size', dir: 'asc' });
      expect(parseSort({ sort_dir: 'asc' }, VOLUME_SORT_RULES)[0]).to.deep.equal({ key: 'created_at', dir: 'asc' });
    });

    it('does not add id twice', () => {
      expect(parseSort({ sort: 'id:asc' }, VOLUME_SORT_RULES)).to.deep.equal([{ key: 'id', dir: 'asc' }]);
    });

    it('refuses unknown keys, bad directions and mixing both styles', () => {
      const bad = [
        { sort: 'colour' }, { sort: 'constructor' }, { sort: '__proto__:asc' }, { sort: 'size:sideways' },
        { sort: 'size', sort_key: 'name' },
      ];
      for (const query of bad) {
        expect(() => parseSort(query, VOLUME_SORT_RULES), JSON.stringify(query)).to.throw(InvalidInputError);
      }
    });
  });

  it('links the next page only after a full one', () => {
    expect(isFullPage(2, 2)).to.equal(true);
    expect(isFullPage(1, 2)).to.equal(false);
    expect(isFullPage(0, 0)).to.equal(false);
  });

  it('builds next links from the request URL with the marker replaced', () => {
    const links = new LinkBuilder('http://h:8776', 'p1');
    expect(links.next('/v3/p1/volumes/detail?limit=2&marker=a&name=x', 'b')).to.deep.equal({
      rel: 'next',
      href: 'http://h:8776/v3/p1/volumes/detail?limit=2&marker=b&name=x',
    });
    expect(links.resource('volumes', 'v')).to.deep.equal([
      { rel: 'self', href: 'http://h:8776/v3/p1/volumes/v' },
      { rel: 'bookmark', href: 'http://h:8776/p1/volumes/v' },
    ]);
    expect(new LinkBuilder('http://h', undefined).resource('volumes', 'v')[0].href).to.equal('http://h/v3/volumes/v');
  });
});
