import { driverUrl } from './prisma.service';

describe('driverUrl', () => {
  it('turns the mysql:// URL operators use into the mariadb:// URI the driver expects', () => {
    expect(driverUrl('mysql://root@127.0.0.1:3306/aisbf')).toBe('mariadb://root@127.0.0.1:3306/aisbf');
    expect(driverUrl('mariadb://u:p@db/x')).toBe('mariadb://u:p@db/x');
  });
});
